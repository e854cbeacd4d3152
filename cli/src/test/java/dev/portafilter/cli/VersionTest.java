package dev.portafilter.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class VersionTest {
    @Test
    void versionIsTheBuildsNotAConstant() {
        StringWriter out = new StringWriter();
        CommandLine cli = PortafilterCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("--version")).isZero();
        // the surefire JVM gets the project's version from the POM; the build filtered the same into the resource
        assertThat(out.toString().strip()).isEqualTo("portafilter " + System.getProperty("portafilter.version"));
    }
}
