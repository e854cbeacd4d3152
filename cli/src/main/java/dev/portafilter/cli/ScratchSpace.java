package dev.portafilter.cli;

import dev.portafilter.conformance.StoreFixture;

/**
 * Scratch stores on a live backend for an audit or a cases run: every store lives in a table, index or namespace
 * set of its own, named after this run, and is removed when disposed. Never touches anything else.
 */
interface ScratchSpace extends StoreFixture, AutoCloseable {

    /** Where the backend is and which version answers, for reports; never includes credentials. */
    String describe();

    @Override
    void close();
}
