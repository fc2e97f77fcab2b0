package io.cascade.metrics;

import io.cascade.media.MemoryBudget;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters every role of a node increments, in one place so the metrics exporter can publish all of them,
 * zeros included. Plain JDK adders: the hot path pays one uncontended add.
 */
public final class NodeCounters {
    /**
     * The counters of each protocol this node speaks, in registration order. A protocol registers once, when the
     * node is put together, so its series are exported from startup (zeros included); nothing else names it.
     */
    private final Map<String, ProtocolCounters> protocols = new LinkedHashMap<>();
    /** What the node's caches, windows and packaged segments hold, against the node's limits. */
    public final MemoryBudget memory;

    // gauges: current values, moved up and down by the code that owns the thing counted
    /** Frame bytes this node's ingested streams sent to subscribed nodes that they have not acknowledged yet. */
    public final LongAdder eventBusInFlightBytes = new LongAdder();

    // counters: only ever grow
    /** Streams packaged for HTTP on this node now. */
    public final LongAdder httpPackagedStreams = new LongAdder();
    /** Frames a viewer did not get because its queue was full (it resumes at the next keyframe). */
    public final LongAdder framesDroppedSlowViewer = new LongAdder();
    /** Viewers disconnected because they stayed behind too long. */
    public final LongAdder viewersDisconnectedSlow = new LongAdder();
    /** Frames damaged inside a valid stream (bad NAL lengths, unparsable tags), skipped. */
    public final LongAdder framesDroppedDamaged = new LongAdder();
    /** Frames of codecs we do not carry (e.g. MP3, Speex, VP6), skipped. */
    public final LongAdder framesDroppedUnsupported = new LongAdder();
    public final LongAdder publishRefusedNameInUse = new LongAdder();
    public final LongAdder publishRefusedOther = new LongAdder();
    /** Publishes refused because the node requires ingest points and the name is no ingest point's private name. */
    public final LongAdder publishRefusedNotIngestPoint = new LongAdder();
    /** Publishes refused by authorisation (no token, a bad or expired one, the callback said no). */
    public final LongAdder publishRefusedUnauthorised = new LongAdder();
    /** Publishes refused because the node's memory budget takes no new stream. */
    public final LongAdder publishRefusedNodeFull = new LongAdder();
    /**
     * Publishers ended because, after a partition healed, the cluster kept another node's publisher of the same
     * name (each half had admitted one).
     */
    public final LongAdder publishersEndedNameLost = new LongAdder();
    public final LongAdder playRefusedNotFound = new LongAdder();
    /** Plays of files refused because the node played {@code vod.max.plays} files already. */
    public final LongAdder vodPlaysRefusedFull = new LongAdder();
    /** Connection attempts of the relays running on this node (pulls and pushes), the first ones included. */
    public final LongAdder relayAttempts = new LongAdder();
    /** Plays (and HLS/DASH requests) refused by authorisation. */
    public final LongAdder playRefusedUnauthorised = new LongAdder();
    /**
     * Frames lost because a bounded buffer between ingest and the viewers' own queues was full: a hub's seam
     * buffer while its snapshot is late, the in-flight bound towards a slow peer node. Exported from startup so
     * the series exists before the code paths that feed it.
     */
    public final LongAdder framesDroppedQueueFull = new LongAdder();
    /** Bytes this node sent over the clustered event bus to other nodes; stays 0 on a single node. */
    public final LongAdder eventBusPeerBytesSent = new LongAdder();
    /** Frames this node sent over the clustered event bus to other nodes; stays 0 on a single node. */
    public final LongAdder eventBusPeerFramesSent = new LongAdder();

    /** JSON messages from clients that streams ingested on this node took in (and sent to every subscribed node). */
    public final LongAdder dataMessagesPublished = new LongAdder();
    /** JSON messages from clients dropped: over a rate limit (the client's or the stream's). */
    public final LongAdder dataMessagesDroppedRateLimit = new LongAdder();
    /** JSON messages from clients dropped: not one JSON text. */
    public final LongAdder dataMessagesDroppedInvalid = new LongAdder();
    /** JSON messages from clients dropped: the stream was not live, or its ingesting node did not take it. */
    public final LongAdder dataMessagesDroppedNotLive = new LongAdder();

    // per stream
    /**
     * Media payload bytes of each stream ingested on this node, by public name, from publish start to stop: the
     * metrics exporter samples them for the per-stream bitrate. The ingest code adds an entry when a publish
     * starts and removes it (only if it is still its own) when it stops.
     */
    public final ConcurrentMap<String, LongAdder> ingestStreamBytes = new ConcurrentHashMap<>();

    /** Counters with a budget that never refuses: for tests and tools that are not about memory. */
    public NodeCounters() {
        this(MemoryBudget.unlimited());
    }

    public NodeCounters(MemoryBudget memory) {
        this.memory = memory;
    }

    /** The counters of one protocol, registered on first use (names come from code, never from the wire). */
    public synchronized ProtocolCounters protocol(String name) {
        return protocols.computeIfAbsent(name, ProtocolCounters::new);
    }

    /** Every protocol registered so far, in registration order. */
    public synchronized List<ProtocolCounters> protocols() {
        return List.copyOf(protocols.values());
    }

    /** What every protocol counts, whatever it is: the metrics exporter labels each with the protocol's name. */
    public static final class ProtocolCounters {
        private final String name;
        /** Publishers whose publish was accepted and that are still connected. */
        public final LongAdder publishers = new LongAdder();
        /** Viewers playing (viewers waiting for a publisher not included), plays of files among them. */
        public final LongAdder viewers = new LongAdder();
        /** Plays of files (VOD) that started. */
        public final LongAdder vodPlays = new LongAdder();
        /** Bytes read from the protocol's sockets. */
        public final LongAdder bytesIn = new LongAdder();
        /** Bytes written to the protocol's sockets. */
        public final LongAdder bytesOut = new LongAdder();
        /** Connections closed because the client broke the protocol. */
        public final LongAdder violations = new LongAdder();
        /**
         * Damage the protocol's input arrived with and that it survived without closing anything: MPEG-TS packets
         * lost (continuity gaps) or out of sync, RTP packets lost.
         */
        public final LongAdder inputErrors = new LongAdder();
        /** Connections refused at once because the listener held as many as its bound. */
        public final LongAdder connectionsOverLimit = new LongAdder();
        /** Connections closed because the client sent no complete request in time, or went idle. */
        public final LongAdder connectionsTimedOut = new LongAdder();

        private ProtocolCounters(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }
    }
}
