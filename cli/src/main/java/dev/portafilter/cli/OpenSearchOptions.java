package dev.portafilter.cli;

import picocli.CommandLine.Option;

/** How to reach an OpenSearch cluster, for every command that takes one; each setting defaults to the environment. */
final class OpenSearchOptions {
    @Option(names = "--opensearch-url", defaultValue = "${env:PORTAFILTER_OPENSEARCH_URL}",
            description = "opensearch: cluster URL (default: $PORTAFILTER_OPENSEARCH_URL).")
    String url;

    @Option(names = "--opensearch-username", defaultValue = "${env:PORTAFILTER_OPENSEARCH_USERNAME}",
            description = "opensearch: basic-auth user (default: $PORTAFILTER_OPENSEARCH_USERNAME).")
    String username;

    @Option(names = "--opensearch-password", defaultValue = "${env:PORTAFILTER_OPENSEARCH_PASSWORD}",
            description = "opensearch: basic-auth password (default: $PORTAFILTER_OPENSEARCH_PASSWORD).")
    String password;

    /** The cluster, after checking that it answers. */
    OpenSearchConnection connect() {
        if (url == null || url.isBlank()) {
            throw new BackendOptions.BackendUnavailableException("OpenSearch needs --opensearch-url (or the "
                    + "environment variable PORTAFILTER_OPENSEARCH_URL)", null);
        }
        if ((username == null) != (password == null)) {
            throw new BackendOptions.BackendUnavailableException("give both --opensearch-username and "
                    + "--opensearch-password, or neither", null);
        }
        return new OpenSearchConnection(url, username, password);
    }
}
