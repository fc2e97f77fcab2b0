package io.cascade.edge.fanout;

import io.cascade.cluster.IngestPointStore;
import io.cascade.edge.StreamHub;
import io.cascade.edge.StreamHubs;
import io.cascade.metrics.NodeCounters;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Where every viewer protocol's play request goes: attaches the viewer to the stream's hub on this node and its
 * {@link ViewerFanout}. A name that is not live yet is waited for, up to the play wait, then answered not found.
 *
 * <p>With ingest points required, a play of an ingest point's private name is answered not found at once: no
 * hub, no per-stream metric series and no log line at INFO ever carries the private name.
 */
public final class Playback {
    private static final Logger log = LoggerFactory.getLogger(Playback.class);

    private final Vertx vertx;
    private final StreamHubs hubs;
    private final NodeCounters counters;
    private final ViewerPolicy policy;
    private final IngestPointStore ingestPoints;

    /** @param ingestPoints when not null, plays of ingest points' private names are refused at once */
    public Playback(Vertx vertx, StreamHubs hubs, NodeCounters counters, ViewerPolicy policy,
                    IngestPointStore ingestPoints) {
        this.vertx = vertx;
        this.hubs = hubs;
        this.counters = counters;
        this.policy = policy;
        this.ingestPoints = ingestPoints;
    }

    /**
     * Starts a play; called on the output's event loop. The returned viewer is the protocol's to {@link Viewer#close}
     * when its client leaves, whether or not playback started.
     *
     * @param protocol the protocol's registered name: viewers of one protocol share its encoding
     * @param encoder  makes the protocol's encoder, when this stream has no viewer of the protocol on this node yet
     */
    public Viewer play(String stream, String protocol, Supplier<FrameEncoder> encoder, ViewerOutput output) {
        Viewer viewer = new Viewer(output, stream, protocol, counters, policy.maxBehindMs());
        if (ingestPoints == null) {
            attach(viewer, stream, protocol, encoder);
            return viewer;
        }
        ingestPoints.resolve(stream).onComplete(resolved -> output.context().runOnContext(v -> {
            if (resolved.succeeded() && resolved.result() != null) {
                log.info("play refused by {}: the name is an ingest point's private name", output.peer());
                viewer.refuse();
            } else {
                attach(viewer, stream, protocol, encoder); // a store that does not answer must not stop viewers
            }
        }));
        return viewer;
    }

    private void attach(Viewer viewer, String stream, String protocol, Supplier<FrameEncoder> encoder) {
        StreamHub hub = hubs.acquire(stream, viewer.context());
        if (hub == null) {
            viewer.notFound();
            return;
        }
        if (viewer.attached(hub, hubs)) {
            hub.context().runOnContext(v -> hub.sink(ViewerFanout.class, () -> new ViewerFanout(vertx, hub, policy))
                    .add(viewer, protocol, encoder));
        }
    }
}
