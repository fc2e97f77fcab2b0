package io.cascade.cluster;

import java.util.Objects;

/**
 * The registry entry of one live stream.
 *
 * @param name            public stream name (what viewers use)
 * @param ownerNode       id of the node that ingests it; deterministic owner on split-brain merges
 * @param ingestProtocol  "rtmp", "rtsp", "mpegts", ...
 * @param startedAtMillis wall clock at publish start
 */
public record StreamRecord(String name, String ownerNode, String ingestProtocol, long startedAtMillis) {
    public StreamRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ownerNode, "ownerNode");
        Objects.requireNonNull(ingestProtocol, "ingestProtocol");
    }
}
