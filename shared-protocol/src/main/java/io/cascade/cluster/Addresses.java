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
 *   <li>{@link #data}: a node hands the ingesting node a JSON message a client sent for the stream (a String); the
 *       ingesting node puts it on the stream's frame path, so it reaches every node with the frames, or fails the
 *       request (not live, over the stream's rate, too large).</li>
 *   <li>{@link #owner}: asks a node whether it still owns (publishes) a stream, before another node takes the
 *       name over.</li>
 * </ul>
 * Subscriptions and acknowledgements go to an address of the owning node, never to one shared by every node that
 * ever ingested the stream: a frozen or dead node keeps its registrations until the cluster drops it, and the event
 * bus would hand it every other request meanwhile. Stream and node names never contain '/', so an address or a
 * publish id cannot be read two ways.
 */
public final class Addresses {
    public static final String STREAM_EVENTS = "cascade.streams.events";

    private Addresses() {
    }

    /**
     * Where a node takes drain orders ({@code {"drain": true|false}}) from the API of any origin node; it answers
     * {@code {"node":..,"draining":..}}.
     */
    public static String drain(String node) {
        return "cascade.node." + node + ".drain";
    }

    /**
     * Where a node answers the API's questions about its clients (JSON objects with an {@code op}: what it knows of
     * its streams, its connections, ending a publisher), from the API of any origin node.
     */
    public static String streamControl(String node) {
        return "cascade.node." + node + ".streams";
    }

    public static String subscribe(String stream, String ownerNode) {
        return "cascade.subscribe." + stream + "/" + ownerNode;
    }

    public static String feed(String stream, String node) {
        return "cascade.feed." + stream + "/" + node;
    }

    public static String acks(String stream, String ownerNode) {
        return "cascade.acks." + stream + "/" + ownerNode;
    }

    public static String data(String stream, String ownerNode) {
        return "cascade.data." + stream + "/" + ownerNode;
    }

    /** One consumer per node: the body is a stream name, the reply whether that node still owns it. */
    public static String owner(String node) {
        return "cascade.owner." + node;
    }

    /** The id of one publish: the node that ingests it, then a number of that node's. */
    public static String publishId(String node, long sequence) {
        return node + "/" + sequence;
    }

    /** The node that ingests a publish, from its {@link #publishId}. */
    public static String nodeOf(String publishId) {
        int slash = publishId.lastIndexOf('/');
        return slash < 0 ? publishId : publishId.substring(0, slash);
    }
}
