package dev.portafilter.core.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FilterPathTest {
    @Test
    void rendersLikeTheJsonPathsOfTheParser() {
        assertThat(FilterPath.ROOT).hasToString("$");
        assertThat(FilterPath.ROOT.key("$and").index(1).operator("publicationYear", "$gt"))
                .hasToString("$.$and[1].publicationYear.$gt");
        assertThat(FilterPath.ROOT.operator("document type", "$in").index(0)).hasToString("$['document type'].$in[0]");
        FilterPath shared = FilterPath.ROOT.key("$or");
        assertThat(shared.index(0)).hasToString("$.$or[0]");
        assertThat(shared.index(1)).as("siblings share their parent").hasToString("$.$or[1]");
    }
}
