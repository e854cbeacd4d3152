package dev.portafilter.cli;

import dev.portafilter.conformance.audit.CasesFile;
import dev.portafilter.conformance.audit.CasesFileException;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.tenant.TenantScope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Reads and checks the commands' inputs; anything malformed is a {@link BadInputException} naming the file and JSON
 * path, or the option.
 */
final class Inputs {
    private Inputs() {
    }

    /** The user gave a malformed file, filter or option value; the command exits with {@link ExitCodes#BAD_INPUT}. */
    static final class BadInputException extends RuntimeException {
        BadInputException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static MetadataSchema schema(Path file) {
        try {
            return CasesFile.parseSchema(read(file));
        } catch (CasesFileException e) {
            throw new BadInputException(file + ": " + e.getMessage(), e);
        }
    }

    static CasesFile cases(Path file) {
        try {
            return CasesFile.parse(read(file));
        } catch (CasesFileException e) {
            throw new BadInputException(file + ": " + e.getMessage(), e);
        }
    }

    /** The filter of option {@code option}, in the JSON syntax, checked against the schema. */
    static Filter filter(String option, String json, MetadataSchema schema) {
        try {
            Filter filter = FilterJson.parse(json);
            schema.validate(filter);
            return filter;
        } catch (InvalidFilterException e) {
            throw new BadInputException(option + ": " + e.getMessage(), e);
        }
    }

    /** Checks that {@code --tenant-field} names a field of the schema a tenant scope can enforce. */
    static void tenantField(String field, MetadataSchema schema, Path schemaFile) {
        try {
            TenantScope.of(new InMemoryVectorStore(schema, 1), field);
        } catch (InvalidSchemaException e) {
            throw new BadInputException("--tenant-field " + field + ": " + e.reason() + " of " + schemaFile, e);
        }
    }

    /** Creates the folder an option names for output, or says why it cannot. */
    static Path outputFolder(String option, Path folder) {
        try {
            return Files.createDirectories(folder);
        } catch (IOException e) {
            throw cannotWrite(option, folder, e);
        }
    }

    static BadInputException cannotWrite(String option, Path path, Throwable e) {
        return new BadInputException(option + " " + path + ": cannot write: " + reason(e), e);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file", e);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + reason(e), e);
        }
    }

    /** An I/O error in words: the JDK's file-system exceptions often carry only the path. */
    static String reason(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        if (t instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (t instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (t instanceof FileAlreadyExistsException || t instanceof NotDirectoryException) {
            return "a file is in the way";
        }
        if (t instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
