package io.cascade.ingest.rtmp;

import io.cascade.cluster.IngestPointStore;
import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.cascade.cluster.StreamTimeline;
import io.cascade.ingest.IngestStream;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.session.PublishRequest;
import io.cascade.rtmp.RtmpConnection;
import io.cascade.rtmp.RtmpPublishHandler;
import io.cascade.rtmp.StreamBinding;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest role's side of an RTMP publish: claims the name in the stream registry (one publisher per name in
 * the whole deployment), then turns the publisher's messages into frames on the event bus until it leaves.
 *
 * <p>With ingest points required, the name a publisher sends must be an ingest point's private name; the stream
 * is then registered, published and logged under the point's public name only, so the private name stays a
 * secret between the operator and the publisher. Any other name gets {@code NetStream.Publish.BadName}.
 */
public final class RtmpPublishing implements RtmpPublishHandler {
    private static final Logger log = LoggerFactory.getLogger(RtmpPublishing.class);

    private final Vertx vertx;
    private final StreamRegistry registry;
    private final String nodeId;
    private final NodeCounters counters;
    private final long maxInFlightBytes;
    private final IngestPointStore ingestPoints;
    private final IngestStream.Segments segments;

    /**
     * @param maxInFlightBytes frame bytes a subscribed node may leave unacknowledged before it misses frames
     * @param ingestPoints     when not null, publishers must send an ingest point's private name
     * @param segments         how published streams are cut into segments
     */
    public RtmpPublishing(Vertx vertx, StreamRegistry registry, String nodeId, NodeCounters counters,
                          long maxInFlightBytes, IngestPointStore ingestPoints, IngestStream.Segments segments) {
        this.maxInFlightBytes = maxInFlightBytes;
        this.segments = segments;
        this.vertx = vertx;
        this.registry = registry;
        this.nodeId = nodeId;
        this.counters = counters;
        this.ingestPoints = ingestPoints;
    }

    @Override
    public void publish(RtmpConnection c, PublishRequest r) {
        if (ingestPoints == null) {
            claim(c, r, r.name());
            return;
        }
        ingestPoints.resolve(r.name()).onComplete(resolved -> c.context().runOnContext(v -> {
            if (c.isClosed()) {
                return;
            }
            if (resolved.failed()) {
                counters.publishRefusedOther.increment();
                log.warn("{}: publish refused, ingest points unavailable: {}", c.peer(), resolved.cause().toString());
                c.session().refusePublish(r.streamId(), "NetStream.Publish.Denied", "Ingest points unavailable.");
                c.close();
            } else if (resolved.result() == null) {
                // the name may be a mistyped private name: never at INFO
                counters.publishRefusedNotIngestPoint.increment();
                log.info("{}: publish refused, the name is no ingest point's private name", c.peer());
                log.debug("{}: refused publish name {}", c.peer(), r.name());
                c.session().refusePublish(r.streamId(), "NetStream.Publish.BadName",
                        "Publish to the private name of an ingest point.");
                c.close();
            } else {
                claim(c, r, resolved.result());
            }
        }));
    }

    /** Claims {@code name} (the public name of the stream) in the registry, then starts it. */
    private void claim(RtmpConnection c, PublishRequest r, String name) {
        StreamRecord record = new StreamRecord(name, nodeId, "rtmp", System.currentTimeMillis());
        registry.claim(record).onComplete(claimed -> c.context().runOnContext(v -> {
            if (c.isClosed()) {
                if (claimed.succeeded() && claimed.result()) {
                    registry.release(name, nodeId);
                }
            } else if (claimed.failed()) {
                counters.publishRefusedOther.increment();
                log.warn("{}: publish {} refused, registry unavailable: {}", c.peer(), name,
                        claimed.cause().toString());
                c.session().refusePublish(r.streamId(), "NetStream.Publish.Denied", "Stream registry unavailable.");
                c.close();
            } else if (!claimed.result()) {
                counters.publishRefusedNameInUse.increment();
                log.info("{}: publish {} refused, the name is live already", c.peer(), name);
                c.session().refusePublish(r.streamId(), "NetStream.Publish.BadName",
                        "Stream " + r.name() + " is already being published.");
                c.close();
            } else {
                continueTimeline(c, r, name);
            }
        }));
    }

    /** Looks up where the stream's segment numbering stands, so this publish continues it. */
    private void continueTimeline(RtmpConnection c, PublishRequest r, String name) {
        registry.timeline(name).onComplete(found -> c.context().runOnContext(v -> {
            if (c.isClosed()) {
                registry.release(name, nodeId);
                return;
            }
            StreamTimeline timeline = found.succeeded() ? found.result() : StreamTimeline.NEW;
            if (found.failed()) {
                log.warn("{}: segment numbering of {} unknown ({}), starting at 0", c.peer(), name, found.cause().toString());
            }
            start(c, r, name, timeline);
        }));
    }

    private void start(RtmpConnection c, PublishRequest r, String name, StreamTimeline timeline) {
        IngestStream stream = new IngestStream(vertx, nodeId, name, counters, maxInFlightBytes, segments, timeline,
                registry);
        c.markPublishing();
        c.session().acceptPublish(r.streamId(), r.name()); // to the publisher: the name it sent
        stream.start();
        counters.rtmpPublishers.increment();
        log.info("publish started: {} from {} (app {}, {})", name, c.peer(), r.app(), r.type());
        c.bind(r.streamId(), new Binding(c, name, stream));
    }

    private final class Binding implements StreamBinding {
        private final RtmpConnection connection;
        private final String name;
        private final IngestStream stream;
        private final RtmpToFrames toFrames = new RtmpToFrames();
        private final RateLimitedLog skipped = new RateLimitedLog(log);

        Binding(RtmpConnection connection, String name, IngestStream stream) {
            this.connection = connection;
            this.name = name;
            this.stream = stream;
        }

        @Override
        public void onMedia(RtmpMessage message) {
            try {
                MediaFrame frame = toFrames.convert(message);
                if (frame != null) {
                    stream.publish(frame);
                }
            } catch (RtmpToFrames.SkippedFrameException e) {
                (e.reason() == RtmpToFrames.SkippedFrameException.Reason.DAMAGED
                        ? counters.framesDroppedDamaged : counters.framesDroppedUnsupported).increment();
                skipped.warn("{}: {}: skipped a frame: {}", connection.peer(), name, e.getMessage());
            }
        }

        @Override
        public void onClosed() {
            stream.stop();
            counters.rtmpPublishers.decrement();
            registry.release(name, nodeId);
            log.info("publish stopped: {} from {} ({} frames, {} bytes in)", name, connection.peer(), stream.frames(),
                    connection.bytesIn());
        }
    }
}
