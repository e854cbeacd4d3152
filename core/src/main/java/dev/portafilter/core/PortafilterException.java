package dev.portafilter.core;

/** Root of every error Portafilter raises on purpose; catch this to handle them all. */
public class PortafilterException extends RuntimeException {
    public PortafilterException(String message) {
        super(message);
    }

    public PortafilterException(String message, Throwable cause) {
        super(message, cause);
    }
}
