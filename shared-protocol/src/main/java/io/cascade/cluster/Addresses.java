package io.cascade.cluster;

/**
 * Event-bus addresses: the contract between the node that ingests a stream and every node that serves it.
 *
 * <ul>
 *   <li>{@link #STREAM_EVENTS}: every node has one consumer; stream starts and stops are published there.</li>
 *   <li>{@link #subscribe}: a node asks the ingesting node for the stream; the reply is its snapshot
 *       ({@link FrameBatch}: config, metadata, current GOP) and from then on frames come on {@link #feed}.</li>
 *   <li>{@link #feed}: the stream's frames for one node, sent only while that node keeps up.</li>
 *   <li>{@link #acks}: a node tells the ingesting node how far it got ({@link FeedAck}), or that it leaves.</li>
 *   <li>{@link #owner}: asks a node whether it still owns (publishes) a stream, before another node takes the
 *       name over.</li>
 * </ul>
 * Stream and node names never contain '/', so the feed address cannot be read two ways.
 */
public final class Addresses {
    public static final String STREAM_EVENTS = "cascade.streams.events";

    private Addresses() {
    }

    public static String subscribe(String stream) {
        return "cascade.subscribe." + stream;
    }

    public static String feed(String stream, String node) {
        return "cascade.feed." + stream + "/" + node;
    }

    public static String acks(String stream) {
        return "cascade.acks." + stream;
    }

    /** One consumer per node: the body is a stream name, the reply whether that node still owns it. */
    public static String owner(String node) {
        return "cascade.owner." + node;
    }
}
