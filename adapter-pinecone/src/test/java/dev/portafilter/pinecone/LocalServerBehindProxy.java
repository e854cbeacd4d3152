package dev.portafilter.pinecone;

import dev.portafilter.conformance.faults.FaultyProxy;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import io.pinecone.clients.Index;

import java.net.URI;
import java.time.Duration;

/** The local Pinecone server, a fault relay in front of it, and an index opened through the relay. */
record LocalServerBehindProxy(LocalPineconeServer server, FaultyProxy proxy, Index index) implements AutoCloseable {

    /** {@code channelDeadline} is the index's own deadline per call, whatever the store's call timeout. */
    static LocalServerBehindProxy start(int dimension, Duration channelDeadline) {
        LocalPineconeServer server = LocalPineconeServer.start(dimension);
        URI direct = URI.create(server.host());
        FaultyProxy proxy = FaultyProxy.to(direct.getHost(), direct.getPort());
        Index index = PineconeIndexes.open("local-test-key", "http://" + proxy.host() + ":" + proxy.port(),
                channelDeadline);
        return new LocalServerBehindProxy(server, proxy, index);
    }

    @Override
    public void close() {
        index.close();
        proxy.close();
        server.close();
    }
}
