/**
 * {@code portafilter inspect}: a read-only look at a live table or index. One {@link dev.portafilter.cli.inspect.Inspector}
 * per backend reads the configuration (as {@link dev.portafilter.cli.inspect.Finding}s), the tenant values and the
 * searches the backend serves; {@link dev.portafilter.cli.inspect.TenantFindings} and
 * {@link dev.portafilter.cli.inspect.Measurement} are shared by all of them.
 */
package dev.portafilter.cli.inspect;
