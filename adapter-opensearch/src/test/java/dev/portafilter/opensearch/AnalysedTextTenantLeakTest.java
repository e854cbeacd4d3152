package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch.core.search.Hit;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trap in many tutorials: a tenant field mapped as analysed {@code text} and filtered with {@code match}.
 * The analyser lowercases and splits, so tenant_1's filter also returns Tenant_1, TENANT_1 and tenant_1-eu.
 * Portafilter maps the field as a keyword and filters with {@code term}: exactly one tenant.
 */
class AnalysedTextTenantLeakTest {
    private static final List<String> TENANTS = List.of("tenant_1", "Tenant_1", "TENANT_1", "tenant_1-eu", "tenant_2");

    @Test
    void matchOnAnalysedTextLeaksAndTermOnKeywordDoesNot() throws IOException {
        OpenSearchClient client = TestServer.client();
        String textIndex = TestServer.scratchIndex("leak-text");
        client.indices().create(c -> c.index(textIndex).mappings(m -> m.properties("tenant", Property.of(p -> p.text(t -> t)))));
        try {
            for (String tenant : TENANTS) {
                ObjectNode doc = new ObjectMapper().createObjectNode().put("tenant", tenant);
                client.index(i -> i.index(textIndex).id(tenant).document(doc).refresh(Refresh.True));
            }
            List<String> matched = client.search(s -> s.index(textIndex).query(q -> q.match(m -> m.field("tenant")
                    .query(v -> v.stringValue("tenant_1")))), ObjectNode.class).hits().hits().stream().map(Hit::id).toList();
            assertThat(matched).as("match on analysed text").containsExactlyInAnyOrder("tenant_1", "Tenant_1", "TENANT_1",
                    "tenant_1-eu");
        } finally {
            client.indices().delete(d -> d.index(textIndex));
        }

        MetadataSchema schema = MetadataSchema.builder().required("tenant", FieldType.STRING).build();
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("leak-keyword"), schema, 4).build();
        try (OpenSearchStore store = OpenSearchStore.builder(layout).client(client).build()) {
            store.createIndex();
            try {
                store.upsert(TENANTS.stream().map(t -> new VectorRecord(t, new float[] {1, 0, 0, 0}, null,
                        Metadata.of("tenant", t))).toList());
                assertThat(store.search(new float[] {1, 0, 0, 0}, 10, Filters.eq("tenant", "tenant_1")))
                        .extracting(SearchHit::id).containsExactly("tenant_1");
                assertThat(store.count(Filters.eq("tenant", "tenant_1"))).isEqualTo(1);
            } finally {
                store.deleteIndex();
            }
        }
    }
}
