package dev.portafilter.pinecone;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.pinecone.clients.Index;
import io.pinecone.configs.PineconeConfig;
import io.pinecone.configs.PineconeConnection;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Opens the official client's {@link Index} on an index host, with a deadline on every call (the client sets
 * none, so a stalled connection would block forever; a missed deadline is retried like any transient failure).
 *
 * <p>{@code https://host} or a bare host uses TLS, as Pinecone's cloud requires; {@code http://host:port} is plain
 * text, for Pinecone Local or a test server. The index is reached by host directly: the client's
 * {@code Pinecone.Builder#getIndexConnection} first asks the control plane over HTTPS and then ignores the TLS
 * setting, so it cannot reach a plaintext server. The caller owns the returned index and closes it.
 */
public final class PineconeIndexes {
    private PineconeIndexes() {
    }

    public static Index open(String apiKey, String host, Duration callTimeout) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("a Pinecone API key is required (any non-empty value for a local server)");
        }
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
        }
        boolean tls = !host.startsWith("http://");
        String target = host.replaceFirst("^https?://", "").replaceFirst("/+$", "");
        if (target.isEmpty()) {
            throw new IllegalArgumentException("an index host is required, was '" + host + "'");
        }
        PineconeConfig config = new PineconeConfig(apiKey);
        config.setHost(target);
        config.setTLSEnabled(tls);
        NettyChannelBuilder channel = NettyChannelBuilder.forTarget(target)
                .userAgent(config.getUserAgent())
                .intercept(new Deadline(callTimeout.toMillis()));
        ManagedChannel built = (tls ? channel.useTransportSecurity() : channel.usePlaintext()).build();
        config.setCustomManagedChannel(built);
        return new Index(config, new PineconeConnection(config), target);
    }

    /** Gives every call that has no deadline of its own this one. */
    private record Deadline(long millis) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            CallOptions bounded = options.getDeadline() == null ? options.withDeadlineAfter(millis, TimeUnit.MILLISECONDS)
                    : options;
            return next.newCall(method, bounded);
        }
    }
}
