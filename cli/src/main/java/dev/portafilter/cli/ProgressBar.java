package dev.portafilter.cli;

import java.io.PrintStream;

/** A one-line progress bar on the terminal (stderr), redrawn in place. */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String label;
    private boolean drawn;

    ProgressBar(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    /** {@code total} may be an estimate; the bar never runs past full. */
    void update(int done, int total, String detail) {
        int filled = total <= 0 ? 0 : Math.min(WIDTH, done * WIDTH / total);
        out.printf("\r%s [%s%s] %d/%d %s\u001b[K", label, "#".repeat(filled), ".".repeat(WIDTH - filled), done,
                Math.max(done, total), detail);
        out.flush();
        drawn = true;
    }

    /** Ends the bar's line, if it drew one. */
    void finish() {
        if (drawn) {
            out.println();
        }
    }
}
