package dev.portafilter.cli;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Short random ids that name one run's scratch space, so that concurrent runs never meet. */
final class RunIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    static String next() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
