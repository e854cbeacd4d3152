package dev.portafilter.pinecone;

import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Where records live in a Pinecone index: one fixed namespace, one namespace per tenant, or the single namespace of
 * one tenant (the partition a tenant view is bound to).
 *
 * <p>A tenant's namespace is {@code <prefix>.<encoded tenant id>}. The encoding keeps ASCII letters, digits and
 * {@code -}, and writes every other UTF-8 byte as {@code _XX} (hex), so it is injective, ASCII-only (Pinecone's rule
 * for namespace names) and never contains the {@code .} that ends the prefix: two tenants never share a namespace,
 * and two stores whose prefixes differ never see each other's namespaces.
 */
sealed interface NamespaceLayout {
    /** Pinecone's limit on a namespace name. */
    int MAX_NAMESPACE_LENGTH = 512;
    Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** The namespace a record is written to; throws a typed error when the record does not belong here. */
    String namespaceFor(VectorRecord record);

    /**
     * The namespaces to read, given the namespaces the index reports and those this process wrote to (the index's
     * statistics may lag behind writes).
     */
    List<String> namespaces(Collection<String> reported, Collection<String> written);

    /** Whether reading needs the index's list of namespaces. */
    default boolean spansNamespaces() {
        return false;
    }

    /** The layout of the partition for one tenant, or empty when this layout has no narrower partition. */
    Optional<Partition> partition(String tenantField, String tenantId);

    /** Every record in one namespace. */
    record Single(String namespace) implements NamespaceLayout {
        @Override
        public String namespaceFor(VectorRecord record) {
            return namespace;
        }

        @Override
        public List<String> namespaces(Collection<String> reported, Collection<String> written) {
            return List.of(namespace);
        }

        @Override
        public Optional<Partition> partition(String tenantField, String tenantId) {
            return Optional.empty();
        }
    }

    /** One namespace per value of the tenant field. */
    record PerTenant(String tenantField, String prefix) implements NamespaceLayout {
        public PerTenant {
            if (!PREFIX.matcher(prefix).matches()) {
                throw new InvalidStoreNameException(prefix, "a namespace prefix must be 1 to 64 of A-Z a-z 0-9 _ -");
            }
        }

        @Override
        public String namespaceFor(VectorRecord record) {
            MetadataValue tenant = record.metadata().get(tenantField).orElseThrow(() ->
                    new InvalidRecordException(record.id(), tenantField, "the tenant field is required"));
            String namespace = namespaceOf(((StringValue) tenant).value());
            if (namespace.length() > MAX_NAMESPACE_LENGTH) {
                throw new InvalidRecordException(record.id(), tenantField, "the tenant id makes a namespace name of "
                        + namespace.length() + " characters; Pinecone allows " + MAX_NAMESPACE_LENGTH);
            }
            return namespace;
        }

        @Override
        public List<String> namespaces(Collection<String> reported, Collection<String> written) {
            TreeSet<String> mine = new TreeSet<>();
            String start = prefix + ".";
            for (Collection<String> source : List.of(reported, written)) {
                source.stream().filter(n -> n.startsWith(start)).forEach(mine::add);
            }
            return List.copyOf(mine);
        }

        @Override
        public boolean spansNamespaces() {
            return true;
        }

        @Override
        public Optional<Partition> partition(String field, String tenantId) {
            if (!field.equals(tenantField)) {
                return Optional.empty();
            }
            String namespace = namespaceOf(tenantId);
            if (namespace.length() > MAX_NAMESPACE_LENGTH) {
                throw new IllegalArgumentException("tenant id '" + tenantId + "' makes a namespace name of "
                        + namespace.length() + " characters; Pinecone allows " + MAX_NAMESPACE_LENGTH);
            }
            return Optional.of(new Partition(tenantField, tenantId, namespace));
        }

        /**
         * The tenant whose namespace this is, the inverse of {@link #namespaceOf}: empty for a namespace outside the
         * prefix or one that {@code namespaceOf} never produces (lower-case hex, an escaped letter, invalid UTF-8).
         */
        Optional<String> tenantOf(String namespace) {
            String start = prefix + ".";
            if (!namespace.startsWith(start)) {
                return Optional.empty();
            }
            String encoded = namespace.substring(start.length());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = 0; i < encoded.length(); i++) {
                char c = encoded.charAt(i);
                if (c == '_' && i + 2 < encoded.length()) {
                    int hi = Character.digit(encoded.charAt(i + 1), 16);
                    int lo = Character.digit(encoded.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0) {
                        return Optional.empty();
                    }
                    bytes.write(hi << 4 | lo);
                    i += 2;
                } else if (c < 0x80 && c != '_' && c != '.') {
                    bytes.write(c);
                } else {
                    return Optional.empty();
                }
            }
            try {
                String tenant = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
                // one spelling per tenant: anything namespaceOf would write differently is not a tenant namespace
                return !tenant.isEmpty() && namespaceOf(tenant).equals(namespace) ? Optional.of(tenant)
                        : Optional.empty();
            } catch (CharacterCodingException e) {
                return Optional.empty();
            }
        }

        String namespaceOf(String tenantId) {
            StringBuilder out = new StringBuilder(prefix).append('.');
            for (byte b : tenantId.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                    out.append((char) c);
                } else {
                    out.append('_').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                }
            }
            return out.toString();
        }
    }

    /** The one namespace of one tenant: the layout of a tenant partition, which never names another namespace. */
    record Partition(String tenantField, String tenantId, String namespace) implements NamespaceLayout {
        @Override
        public String namespaceFor(VectorRecord record) {
            Optional<MetadataValue> tenant = record.metadata().get(tenantField);
            if (tenant.isEmpty() || !tenant.get().equals(new StringValue(tenantId))) {
                throw new TenantIsolationException("record '" + record.id() + "' carries " + tenantField + "="
                        + tenant.map(Object::toString).orElse("<missing>") + ", but this partition holds only tenant '"
                        + tenantId + "'; nothing was written");
            }
            return namespace;
        }

        @Override
        public List<String> namespaces(Collection<String> reported, Collection<String> written) {
            return List.of(namespace);
        }

        @Override
        public Optional<Partition> partition(String field, String id) {
            if (field.equals(tenantField) && id.equals(tenantId)) {
                return Optional.of(this);
            }
            throw new TenantIsolationException("the partition of tenant '" + tenantId
                    + "' cannot be narrowed to another tenant");
        }
    }
}
