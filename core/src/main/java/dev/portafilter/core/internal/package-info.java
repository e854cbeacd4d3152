/**
 * Shared by Portafilter's own modules (the JSON codec of filters, JSON paths for errors); not an API. Nothing here is
 * covered by compatibility promises, and the published javadoc leaves it out: applications use
 * {@link dev.portafilter.core.filter.FilterJson} and the other public packages.
 */
package dev.portafilter.core.internal;
