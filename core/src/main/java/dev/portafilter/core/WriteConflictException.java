package dev.portafilter.core;

import java.util.List;

/**
 * An upsert would have replaced existing records that its guard does not allow it to replace (through a tenant
 * view: records of another tenant with the same id). Nothing of the batch was written.
 */
public class WriteConflictException extends PortafilterException {
    private final List<String> conflictingIds;

    public WriteConflictException(List<String> conflictingIds) {
        super("existing records may not be replaced by this write: " + conflictingIds + "; nothing was written");
        this.conflictingIds = List.copyOf(conflictingIds);
    }

    public List<String> conflictingIds() {
        return conflictingIds;
    }
}
