package io.cascade.ingest;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.FrameBatch;
import io.cascade.cluster.StreamEvent;
import io.cascade.media.GopCache;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.concurrent.atomic.LongAdder;

/**
 * One stream being ingested on this node, whatever the protocol: publishes its frames on the stream's media
 * address and answers snapshot requests from its GOP cache, so a new subscriber anywhere starts at once.
 * Used from one thread, the publisher connection's event loop.
 */
public final class IngestStream {
    private final EventBus bus;
    private final String name;
    private final String mediaAddress;
    private final GopCache gop = new GopCache();
    private final NodeCounters counters;
    /** Payload bytes of this publish, shared with the metrics exporter through {@link NodeCounters#ingestStreamBytes}. */
    private final LongAdder payloadBytes = new LongAdder();
    private MessageConsumer<Object> snapshots;
    private long frames;

    public IngestStream(EventBus bus, String name, NodeCounters counters) {
        this.bus = bus;
        this.counters = counters;
        this.name = name;
        this.mediaAddress = Addresses.media(name);
    }

    public String name() {
        return name;
    }

    public void start() {
        snapshots = bus.consumer(Addresses.snapshot(name),
                request -> request.reply(new FrameBatch(gop.snapshot(), gop.lastSequence())));
        counters.ingestStreamBytes.put(name, payloadBytes);
        bus.publish(mediaAddress, new StreamEvent(StreamEvent.Kind.STARTED, name));
    }

    public void publish(MediaFrame frame) {
        long before = gop.gopBytes();
        gop.add(frame);
        counters.gopCacheBytes.add(gop.gopBytes() - before);
        payloadBytes.add(frame.payload().length);
        frames++;
        bus.publish(mediaAddress, frame);
    }

    public void stop() {
        if (snapshots != null) {
            snapshots.unregister();
            snapshots = null;
        }
        counters.ingestStreamBytes.remove(name, payloadBytes);
        counters.gopCacheBytes.add(-gop.gopBytes());
        gop.clear();
        bus.publish(mediaAddress, new StreamEvent(StreamEvent.Kind.STOPPED, name));
    }

    public long frames() {
        return frames;
    }

    public long gopBytes() {
        return gop.gopBytes();
    }
}
