package dev.portafilter.core;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shape of core's public API, over every public class outside {@code dev.portafilter.core.internal}: no Jackson
 * type and no internal type in a signature (an application sees strings and Portafilter's own types), and no
 * {@code Optional} parameter (an absent argument is an overload of its own).
 */
class PublicApiTest {
    private static final Set<Class<?>> OPTIONALS =
            Set.of(Optional.class, OptionalInt.class, OptionalLong.class, OptionalDouble.class);
    private static final List<Class<?>> API = new ArrayList<>();

    @BeforeAll
    static void loadApiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(PortafilterException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names;
        try (Stream<Path> files = Files.walk(root)) {
            names = files.map(root::relativize).map(Path::toString)
                    .filter(f -> f.endsWith(".class") && !f.endsWith("package-info.class"))
                    .filter(f -> !f.startsWith("dev/portafilter/core/internal/"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.'))
                    .toList();
        }
        for (String name : names) {
            Class<?> type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
            if (isVisible(type)) {
                API.add(type);
            }
        }
        assertThat(API).as("core's public classes").hasSizeGreaterThan(30);
    }

    @Test
    void noSignatureNamesJacksonOrAnInternalType() {
        List<String> offenders = new ArrayList<>();
        for (Class<?> type : API) {
            for (Member member : members(type)) {
                for (Type t : signatureTypes(member)) {
                    String name = t.getTypeName();
                    if (name.contains("com.fasterxml.") || name.contains("dev.portafilter.core.internal.")) {
                        offenders.add(type.getName() + ": " + member + " uses " + name);
                    }
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void noPublicMethodOrConstructorTakesAnOptional() {
        List<String> offenders = new ArrayList<>();
        for (Class<?> type : API) {
            for (Member member : members(type)) {
                if (member instanceof Executable e
                        && Stream.of(e.getParameterTypes()).anyMatch(OPTIONALS::contains)) {
                    offenders.add(type.getName() + ": " + member);
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    /** Public or protected members declared by the class itself (inherited ones are checked on their declarer). */
    private static List<Member> members(Class<?> type) {
        List<Member> out = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            if (!m.isSynthetic() && isVisible(m.getModifiers())) {
                out.add(m);
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (isVisible(c.getModifiers())) {
                out.add(c);
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (!f.isSynthetic() && isVisible(f.getModifiers())) {
                out.add(f);
            }
        }
        return out;
    }

    private static List<Type> signatureTypes(Member member) {
        List<Type> types = new ArrayList<>();
        if (member instanceof Method m) {
            types.add(m.getGenericReturnType());
        }
        if (member instanceof Executable e) {
            types.addAll(List.of(e.getGenericParameterTypes()));
            types.addAll(List.of(e.getGenericExceptionTypes()));
        }
        if (member instanceof Field f) {
            types.add(f.getGenericType());
        }
        return types;
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
            if (!isVisible(c.getModifiers())) {
                return false;
            }
        }
        return !type.isAnonymousClass() && !type.isLocalClass() && !type.isSynthetic();
    }

    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }
}
