package dev.portafilter.conformance.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between a client under test and a real server, on a local port, that injects network faults: it
 * passes bytes through, delays them, swallows them, or cuts connections. Stores point at {@link #host()} and
 * {@link #port()} instead of the server; the fault can change at any moment and applies to bytes relayed after.
 */
public final class FaultyProxy implements AutoCloseable {

    /** What happens to the bytes relayed, in both directions. */
    public sealed interface Fault {
        /** Bytes pass unchanged. */
        record None() implements Fault {
        }

        /** Each chunk of bytes is held this long before it is passed on: a slow network or a stalled server. */
        record Delay(Duration delay) implements Fault {
        }

        /** Bytes are read and thrown away: the connection stays open and nothing ever arrives (a black hole). */
        record Drop() implements Fault {
        }

        /**
         * A connection is reset in both directions once it has passed on this many bytes from the server while this
         * fault is in force: with a small number, a connection cut in the middle of its next response.
         */
        record CutAfter(long serverBytes) implements Fault {
        }
    }

    public static final Fault NONE = new Fault.None();

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Fault fault = NONE;

    private FaultyProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "faulty-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A relay to this server, listening on a free local port, passing bytes through until told otherwise. */
    public static FaultyProxy to(String host, int port) {
        try {
            return new FaultyProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a local port for the proxy", e);
        }
    }

    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The fault for bytes relayed from now on; {@link #NONE} heals the network. */
    public void fault(Fault newFault) {
        this.fault = Objects.requireNonNull(newFault, "fault");
    }

    /** Resets every open connection now, as a crashed server or a broken link would. */
    public void cutAll() {
        open.forEach(this::reset);
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing a listening socket only fails if it is closed already
        }
        cutAll();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(target, 5_000);
            } catch (IOException unreachable) {
                reset(client);
                continue;
            }
            open.add(client);
            open.add(server);
            AtomicLong fromServer = new AtomicLong();
            pump(client, server, null);
            pump(server, client, fromServer);
        }
    }

    /** Relays {@code from} to {@code to} on a thread of its own; counts the bytes when given a counter. */
    private void pump(Socket from, Socket to, AtomicLong counted) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    Fault now = fault;
                    if (now instanceof Fault.Drop) {
                        continue;
                    }
                    if (now instanceof Fault.Delay d) {
                        Thread.sleep(d.delay().toMillis());
                    }
                    if (now instanceof Fault.CutAfter cut && counted != null
                            && counted.addAndGet(n) > cut.serverBytes()) {
                        out.write(buffer, 0, (int) Math.max(0, n - (counted.get() - cut.serverBytes())));
                        out.flush();
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException closed) {
                // one side went away (or was cut): the other goes too
            } finally {
                reset(from);
                reset(to);
            }
        }, "faulty-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes with a TCP reset rather than an orderly end of stream, as a broken connection looks to the peer. */
    private void reset(Socket socket) {
        open.remove(socket);
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (SocketException alreadyClosed) {
            // nothing left to reset
        } catch (IOException ignored) {
            // the socket is gone either way
        }
    }
}
