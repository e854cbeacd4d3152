package dev.portafilter.pinecone;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The namespace of a tenant and back, as a tool reading an index written by a per-tenant store needs it. */
class TenantNamespaceTest {

    @Test
    void everyTenantComesBackFromItsNamespace() {
        for (String tenant : List.of("acme", "ACME", "acme ", "\uFF41\uFF43\uFF4D\uFF45", "\u0430cme", "a.b_c-d",
                "tenant_01-eu", "\uD83D\uDE00", "_41")) {
            String namespace = PineconeStore.tenantNamespace("docs", tenant);
            assertThat(namespace).startsWith("docs.").matches("[ -~]+");
            assertThat(PineconeStore.tenantOfNamespace("docs", namespace)).as(namespace).contains(tenant);
            assertThat(PineconeStore.tenantOfNamespace("doc", namespace)).isEmpty();
        }
    }

    @Test
    void namespacesNoTenantHasAreNotTenantNamespaces() {
        assertThat(PineconeStore.tenantNamespace("docs", "é")).isEqualTo("docs._C3_A9");
        // other spellings of the same bytes, bytes that are not UTF-8, an empty tenant, other namespaces
        for (String namespace : List.of("docs._c3_a9", "docs._41cme", "docs._FF", "docs._C3", "docs.", "docs.a.b",
                "docs.a_", "docs.a_4", "other.acme", "docs", "")) {
            assertThat(PineconeStore.tenantOfNamespace("docs", namespace)).as(namespace).isEmpty();
        }
    }
}
