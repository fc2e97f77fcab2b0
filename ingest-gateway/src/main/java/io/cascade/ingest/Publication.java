package io.cascade.ingest;

import java.util.List;
import java.util.Set;
import io.cascade.cluster.StreamRegistry;
import io.cascade.cluster.StreamTimeline;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted publish: holds the stream's name in the cluster from {@link Admission} until {@link #close}, and
 * between {@link #start} and {@link #close} turns the frames a protocol hands it into the live stream. A protocol
 * adapter only converts its wire format into frames and reports what it had to skip; counting, logging and the
 * registry are here. Used from the publisher's event loop.
 */
public final class Publication implements FrameTarget {
    private static final Logger log = LoggerFactory.getLogger(Publication.class);

    /** How this node's ingested streams are fed to other nodes and cut into segments. */
    public record Settings(long maxInFlightBytes, IngestStream.Segments segments) {
    }

    /** Why a frame inside a valid stream was skipped: counted apart, the publisher stays either way. */
    public enum Skip { DAMAGED, UNSUPPORTED_CODEC }

    private final StreamRegistry registry;
    private final String nodeId;
    private final NodeCounters counters;
    private final NodeCounters.ProtocolCounters protocolCounters;
    private final Admission.Attempt attempt;
    private final String name;
    private final IngestStream stream;
    private final RateLimitedLog skipped = new RateLimitedLog(log);
    private final Set<Publication> live;
    private volatile Runnable end = () -> { };
    /** The publisher's event loop, where the stream's caches live: set by {@link #start}. */
    private volatile Context context;
    private volatile long startedAtMillis;
    private boolean started;
    private boolean closed;

    Publication(Vertx vertx, StreamRegistry registry, String nodeId, NodeCounters counters, Settings settings,
                Admission.Attempt attempt, String name, StreamTimeline timeline, Set<Publication> live) {
        this.live = live;
        this.registry = registry;
        this.nodeId = nodeId;
        this.counters = counters;
        this.protocolCounters = counters.protocol(attempt.protocol());
        this.attempt = attempt;
        this.name = name;
        this.stream = new IngestStream(vertx, nodeId, name, counters, settings.maxInFlightBytes(), settings.segments(),
                timeline, registry);
    }

    /** Ends the publisher's connection (the protocol's way); its close then ends the stream. From any thread. */
    void endPublisher() {
        end.run();
    }

    /** The stream's public name: what viewers play, and the only name logged at INFO. */
    public String name() {
        return name;
    }

    /** The protocol's registered name ("rtmp", "rtsp", "ts"). */
    public String protocol() {
        return attempt.protocol();
    }

    /** Who publishes, as the protocol names it for logs (an address and port; a pull names its source without credentials). */
    public String peer() {
        return attempt.peer();
    }

    /** Wall clock at {@link #start}; 0 before. */
    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** Media bytes taken in since {@link #start}. From any thread. */
    public long bytesIn() {
        return stream.payloadBytes();
    }

    /**
     * What the stream's cache holds now (decoder configurations, metadata, the segments kept), read on the
     * publisher's event loop: for describing the stream, not for playing it. From any thread.
     */
    public Future<List<MediaFrame>> cachedFrames() {
        Context c = context;
        if (c == null || Vertx.currentContext() == c) {
            return Future.succeededFuture(closed ? List.of() : stream.snapshot());
        }
        Promise<List<MediaFrame>> answer = Promise.promise();
        c.runOnContext(v -> answer.complete(closed ? List.of() : stream.snapshot()));
        return answer.future();
    }

    /**
     * The stream goes live: the protocol has told its publisher so. {@code detail} is logged with the start;
     * {@code end} ends the publisher's connection when the node sends publishers away (a drain), from any thread.
     */
    public void start(String detail, Runnable end) {
        if (started || closed) {
            return;
        }
        started = true;
        this.end = end;
        this.context = Vertx.currentContext();
        this.startedAtMillis = System.currentTimeMillis();
        live.add(this);
        stream.start();
        protocolCounters.publishers.increment();
        log.info("publish started: {} from {} ({}, {})", name, attempt.peer(), attempt.protocol(), detail);
    }

    @Override
    public void publish(MediaFrame frame) {
        if (started && !closed) {
            stream.publish(frame);
        }
    }

    /** A frame the protocol could not turn into a frame: counted and logged at a limited rate. */
    @Override
    public void skipped(Skip why, String detail) {
        (why == Skip.DAMAGED ? counters.framesDroppedDamaged : counters.framesDroppedUnsupported).increment();
        skipped.warn("{}: {}: skipped a frame: {}", attempt.peer(), name, detail);
    }

    /** The publisher left (or never started): the stream stops and the name is free again. Safe to call twice. */
    public void close(long bytesIn) {
        if (closed) {
            return;
        }
        closed = true;
        live.remove(this);
        if (started) {
            stream.stop();
            protocolCounters.publishers.decrement();
            log.info("publish stopped: {} from {} ({} frames, {} bytes in)", name, attempt.peer(), stream.frames(),
                    bytesIn);
        }
        registry.release(name, nodeId);
    }
}
