package dev.portafilter.pgvector;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A data source that records the SQL of every statement prepared through it: what a store sends, and how often. */
final class StatementLog {
    private final DataSource target;
    private final List<String> prepared = Collections.synchronizedList(new ArrayList<>());

    StatementLog(DataSource target) {
        this.target = target;
    }

    DataSource dataSource() {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                forwarding(target, (name, args) -> {
                }, result -> result instanceof Connection c ? recording(c) : result));
    }

    /** Statements prepared so far whose SQL contains the text. */
    long count(String text) {
        synchronized (prepared) {
            return prepared.stream().filter(sql -> sql.contains(text)).count();
        }
    }

    /** Every statement prepared so far. */
    List<String> statements() {
        synchronized (prepared) {
            return List.copyOf(prepared);
        }
    }

    private Connection recording(Connection c) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                forwarding(c, (name, args) -> {
                    if (name.equals("prepareStatement")) {
                        prepared.add((String) args[0]);
                    }
                }, result -> result));
    }

    private interface Observer {
        void call(String method, Object[] args);
    }

    private interface Wrapper {
        Object wrap(Object result);
    }

    private static InvocationHandler forwarding(Object target, Observer observer, Wrapper wrapper) {
        return (proxy, method, args) -> {
            observer.call(method.getName(), args);
            try {
                return wrapper.wrap(method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }
}
