package io.cascade.edge.ws;

import io.cascade.edge.fanout.FrameEncoder;
import io.cascade.media.Codec;
import io.cascade.media.JsonMetadata;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.protocol.amf0.Amf0Exception;
import io.cascade.protocol.amf0.Amf0Json;
import io.cascade.protocol.amf0.Amf0Reader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The metadata subscribers' encoding of one stream on this node ({@code /<stream>/meta}): each message of the
 * stream's data channel once, in UTF-8 JSON, the same bytes for every subscriber. A JSON data message (a client's,
 * or RTMP onTextData/onCuePoint) goes as it is with its time in front; onMetaData (AMF0) is converted to JSON;
 * audio, video and config frames are nothing to a metadata subscriber.
 */
final class JsonMetaEncoder implements FrameEncoder {
    private static final Logger log = LoggerFactory.getLogger(JsonMetaEncoder.class);

    private final RateLimitedLog skipped = new RateLimitedLog(log);

    @Override
    public byte[] encode(MediaFrame frame, long timestampMillis) {
        if (frame.isDataMessage()) {
            return JsonMetadata.subscriberMessage(frame, timestampMillis);
        }
        if (frame.codec() != Codec.AMF0_METADATA) {
            return null;
        }
        try {
            List<Object> values = Amf0Reader.readAll(frame.payload(), 0, frame.payload().length);
            if (values.isEmpty() || !(values.get(0) instanceof String name)) {
                return null;
            }
            String data = Amf0Json.toJson(values.size() > 1 ? values.get(1) : null, JsonMetadata.MAX_MESSAGE_BYTES);
            return JsonMetadata.subscriberMessage(name, data, timestampMillis);
        } catch (Amf0Exception | IllegalArgumentException e) {
            skipped.warn("metadata is not sent to metadata subscribers: {}", e.getMessage());
            return null;
        }
    }
}
