package dev.portafilter.peers;

import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.beans.factory.InitializingBean;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Spring AI 1.1.2's {@code OpenSearchVectorStore}, on the opensearch-java 2.23 it was compiled against, in a class
 * loader of its own: Portafilter's adapter uses opensearch-java 3, whose changed methods that store cannot call
 * ({@code NoSuchMethodError}). Only the store and its client come from that loader; Spring AI's interfaces,
 * {@code Document} and everything else are the caller's own, so the caller talks to the store as an app does. This
 * module's build copies those jars into a directory of its own; the system property
 * {@code portafilter.spring-ai-opensearch.jars} names another.
 */
public record SpringAiOpenSearch(VectorStore store, AutoCloseable transport) implements AutoCloseable {
    private static final String JARS = "portafilter.spring-ai-opensearch.jars";

    /** How the store searches: its {@code useApproximateKnn} setting. */
    public enum Search {
        /** {@code useApproximateKnn(true)}: the {@code knn} query with its filter inside; creates a lucene index. */
        APPROXIMATE,
        /** Its default: the exact {@code knn_score} script over the filtered documents, on an index that exists. */
        EXACT
    }

    /**
     * The store on {@code index}. With {@link Search#EXACT} the index must exist: the mapping Spring AI creates for
     * it names no engine, and a node without the native faiss library (the local distribution) dies on it.
     */
    public static SpringAiOpenSearch create(String url, String index, int dimension, EmbeddingModel model,
                                            Search search) throws Exception {
        ClassLoader loader = new OwnFirst(jars(), SpringAiOpenSearch.class.getClassLoader());
        URI uri = URI.create(url);
        Class<?> hostType = loader.loadClass("org.apache.hc.core5.http.HttpHost");
        Object hosts = Array.newInstance(hostType, 1);
        Array.set(hosts, 0, hostType.getConstructor(String.class, String.class, int.class)
                .newInstance(uri.getScheme(), uri.getHost(), uri.getPort()));
        Class<?> transportBuilder = loader.loadClass(
                "org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder");
        Object transport = transportBuilder.getMethod("build").invoke(transportBuilder.getMethod("builder",
                hosts.getClass()).invoke(null, hosts));
        Class<?> clientType = loader.loadClass("org.opensearch.client.opensearch.OpenSearchClient");
        Object client = clientType.getConstructor(loader.loadClass("org.opensearch.client.transport.OpenSearchTransport"))
                .newInstance(transport);
        Object builder = loader.loadClass("org.springframework.ai.vectorstore.opensearch.OpenSearchVectorStore")
                .getMethod("builder", clientType, EmbeddingModel.class).invoke(null, client, model);
        call(builder, "index", String.class, index);
        call(builder, "dimensions", int.class, dimension);
        call(builder, "useApproximateKnn", boolean.class, search == Search.APPROXIMATE);
        call(builder, "initializeSchema", boolean.class, search == Search.APPROXIMATE);
        VectorStore store = (VectorStore) builder.getClass().getMethod("build").invoke(builder);
        ((InitializingBean) store).afterPropertiesSet();
        return new SpringAiOpenSearch(store, (AutoCloseable) transport);
    }

    private static void call(Object builder, String method, Class<?> type, Object value) throws Exception {
        Method m = builder.getClass().getMethod(method, type);
        m.invoke(builder, value);
    }

    private static URL[] jars() throws IOException {
        String dir = System.getProperty(JARS, built());
        File[] files = Objects.requireNonNull(new File(dir).listFiles((d, name) -> name.endsWith(".jar")),
                "no jars in " + dir + ": build the peers module, or set " + JARS);
        URL[] urls = new URL[files.length];
        for (int i = 0; i < files.length; i++) {
            urls[i] = files[i].toURI().toURL();
        }
        return urls;
    }

    /** The directory this module's build copied the jars into. */
    private static String built() {
        try (InputStream in = SpringAiOpenSearch.class.getResourceAsStream("spring-ai-opensearch.properties")) {
            Properties p = new Properties();
            p.load(Objects.requireNonNull(in, "spring-ai-opensearch.properties is missing: build the peers module"));
            return p.getProperty("jars");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        transport.close();
    }

    /**
     * Loads Spring AI's OpenSearch store, the OpenSearch client and the Apache HTTP client it was built with from its
     * own jars first, all else from the test. (With the adapter's newer HTTP client, which decompresses responses
     * itself, the old transport fails to decompress them again.)
     */
    private static final class OwnFirst extends URLClassLoader {
        private static final Pattern OWN = Pattern.compile(
                "org\\.opensearch\\.client\\.|org\\.springframework\\.ai\\.vectorstore\\.opensearch\\.|org\\.apache\\.hc\\.");

        OwnFirst(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!OWN.matcher(name).lookingAt()) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notInTheJars) {
                        c = super.loadClass(name, false);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
