package io.cascade.cluster;

/**
 * An ingest point: publishers push to {@code privateName}, viewers play {@code publicName}. The private name is a
 * publishing secret: it never reaches a playlist, a viewer-facing API, a metric or a log line at INFO.
 */
public record IngestPoint(String privateName, String publicName) {
}
