package dev.portafilter.pinecone;

import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import io.grpc.StatusRuntimeException;
import io.pinecone.clients.Index;
import io.pinecone.proto.ListItem;
import io.pinecone.proto.ListResponse;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code list} on the local server, through the official client: pages of ids in byte order, as Pinecone's. */
class LocalListTest {

    @Test
    void listsTheIdsOfANamespaceInPagesInByteOrder() {
        try (LocalPineconeServer server = LocalPineconeServer.start(2)) {
            Index index = LocalFixture.connect(server, Duration.ofSeconds(10));
            List<VectorWithUnsignedIndices> records = new ArrayList<>();
            for (int i = 0; i < 230; i++) {
                records.add(new VectorWithUnsignedIndices(String.format("doc%03d#%s", i % 115, i < 115 ? "a" : "B"),
                        List.of(1f, (float) i), null, null));
            }
            index.upsert(records, "ns");
            index.upsert(List.of(new VectorWithUnsignedIndices("other", List.of(1f, 0f), null, null)), "ns2");

            List<String> all = new ArrayList<>();
            ListResponse page = index.list("ns");
            int pages = 1;
            assertThat(page.getVectorsCount()).as("default page").isEqualTo(100);
            page.getVectorsList().stream().map(ListItem::getId).forEach(all::add);
            while (page.hasPagination() && !page.getPagination().getNext().isEmpty()) {
                page = index.list("ns", 100, page.getPagination().getNext());
                page.getVectorsList().stream().map(ListItem::getId).forEach(all::add);
                pages++;
            }
            assertThat(pages).isEqualTo(3);
            assertThat(page.hasPagination()).as("no token on the last page").isFalse();
            // "B" (0x42) sorts before "a" (0x61): byte order, not case-insensitive
            assertThat(all).hasSize(230).doesNotHaveDuplicates().isSorted().startsWith("doc000#B", "doc000#a");

            ListResponse prefixed = index.list("ns", "doc01", 3);
            assertThat(prefixed.getVectorsList()).extracting(ListItem::getId)
                    .containsExactly("doc010#B", "doc010#a", "doc011#B");
            ListResponse next = index.list("ns", "doc01", prefixed.getPagination().getNext(), 100);
            assertThat(next.getVectorsList()).extracting(ListItem::getId).hasSize(17).allMatch(id -> id.startsWith("doc01"));
            assertThat(index.list("missing").getVectorsCount()).isZero();
            assertThatThrownBy(() -> index.list("ns", "doc", "not-a-token")).isInstanceOf(StatusRuntimeException.class)
                    .hasMessageContaining("INVALID_ARGUMENT");
            index.close();
        }
    }
}
