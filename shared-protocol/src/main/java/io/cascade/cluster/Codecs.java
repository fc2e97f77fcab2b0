package io.cascade.cluster;

import io.cascade.media.MediaFrame;
import io.vertx.core.eventbus.EventBus;

/** Registers the cluster's message codecs; every node calls this once before it sends or consumes media. */
public final class Codecs {
    private Codecs() {
    }

    public static void register(EventBus bus) {
        bus.registerDefaultCodec(MediaFrame.class, new MediaFrameCodec());
        bus.registerDefaultCodec(FrameBatch.class, new FrameBatchCodec());
        bus.registerDefaultCodec(StreamEvent.class, new StreamEventCodec());
        bus.registerDefaultCodec(FeedAck.class, new FeedAckCodec());
    }
}
