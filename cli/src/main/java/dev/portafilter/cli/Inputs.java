package dev.portafilter.cli;

import dev.portafilter.conformance.audit.CasesFile;
import dev.portafilter.conformance.audit.CasesFileException;
import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.metadata.MetadataSchema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the commands' input files; anything malformed is a {@link BadInputException} naming the file and JSON path. */
final class Inputs {
    private Inputs() {
    }

    /** The user gave a malformed file or filter; the command exits with {@link ExitCodes#BAD_INPUT}. */
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

    /** A filter in the JSON syntax, checked against the schema. */
    static Filter filter(String json, MetadataSchema schema) {
        try {
            Filter filter = FilterJson.parse(json);
            schema.validate(filter);
            return filter;
        } catch (PortafilterException e) {
            throw new BadInputException("the filter is invalid: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
