package dev.portafilter.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {
    @Test
    void eachCustomerSeesOnlyItsOwnRecordsWithTheRealModel() {
        StringWriter out = new StringWriter();
        CommandLine cli = PortafilterCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        int exit = cli.execute("demo", "--top-k", "4");
        String text = out.toString();
        assertThat(exit).as(text).isZero();
        String a = text.substring(text.indexOf("== CustomerA asks"), text.indexOf("== CustomerB asks"));
        String b = text.substring(text.indexOf("== CustomerB asks"), text.indexOf("== Without a tenant scope"));
        assertThat(a).contains("A-C003").doesNotContain("B-S0", "B-NHS", "B-NOTE");
        assertThat(b).contains("B-S003").doesNotContain("A-C0", "A-HIPAA", "A-NOTE");
        assertThat(text).contains("refused: a filter through a tenant view may not name the tenant field")
                .contains("Isolation held");
    }
}
