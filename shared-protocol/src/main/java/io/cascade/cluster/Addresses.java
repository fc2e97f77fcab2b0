package io.cascade.cluster;

/**
 * Event-bus addresses: the contract between the node that ingests a stream and every node that serves it.
 *
 * <p>The media address carries {@link io.cascade.media.MediaFrame}s and {@link StreamEvent}s in publish order;
 * the snapshot address answers a request with the stream's current {@link FrameBatch} (config, metadata, GOP).
 */
public final class Addresses {
    private static final String MEDIA_PREFIX = "cascade.media.";
    private static final String SNAPSHOT_PREFIX = "cascade.snapshot.";

    private Addresses() {
    }

    public static String media(String stream) {
        return MEDIA_PREFIX + stream;
    }

    public static String snapshot(String stream) {
        return SNAPSHOT_PREFIX + stream;
    }
}
