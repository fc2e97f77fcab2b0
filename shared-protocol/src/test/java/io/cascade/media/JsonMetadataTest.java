package io.cascade.media;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonMetadataTest {
    @Test
    void aSubscriberGetsTheMessageWithItsTimeInFront() {
        MediaFrame f = JsonMetadata.frame(JsonMetadata.CLIENT_TYPE, "{\"score\": [1, 2], \"who\": \"\u00e9\"}", 4_000, 9);
        assertTrue(f.isDataMessage());
        assertEquals(TrackType.DATA, f.trackType());
        String out = new String(JsonMetadata.subscriberMessage(f, 12_345), StandardCharsets.UTF_8);
        assertEquals("{\"time\":12.345,\"type\":\"message\",\"data\":{\"score\": [1, 2], \"who\": \"\u00e9\"}}", out);
        assertEquals("\u00e9", new JsonObject(out).getJsonObject("data").getString("who"));
        assertEquals("{\"time\":0.040,\"type\":\"onMetaData\",\"data\":null}", new String(
                JsonMetadata.subscriberMessage("onMetaData", "null", 40), StandardCharsets.UTF_8));
    }

    @Test
    void typesArePlainNames() {
        assertThrows(IllegalArgumentException.class, () -> JsonMetadata.payload("a\"b", "1"));
        assertThrows(IllegalArgumentException.class, () -> JsonMetadata.payload("", "1"));
        assertThrows(IllegalArgumentException.class, () -> JsonMetadata.subscriberMessage(
                new MediaFrame(2, Codec.AMF0_METADATA, 0, 0, 1000, 0, 0, 0, new byte[] {'{', '}'}), 0));
    }
}
