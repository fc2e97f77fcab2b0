package io.cascade.protocol.amf0;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** AMF0 values, decoded from bytes as RTMP carries them, as JSON text that a JSON parser reads back the same. */
class Amf0JsonTest {
    private static String json(Object value) throws Amf0Exception {
        byte[] amf = Amf0Writer.encode(value);
        return Amf0Json.toJson(Amf0Reader.readAll(amf, 0, amf.length).get(0), 1 << 20);
    }

    @Test
    void onMetaDataAsAnEncoderSendsIt() throws Exception {
        Amf0EcmaArray meta = new Amf0EcmaArray();
        meta.put("duration", 0.0);
        meta.put("width", 1280.0);
        meta.put("height", 720.0);
        meta.put("framerate", 29.97);
        meta.put("videocodecid", 7.0);
        meta.put("stereo", true);
        meta.put("encoder", "Lavf61.7.100");
        meta.put("filesize", -0.0);
        assertEquals("{\"duration\":0,\"width\":1280,\"height\":720,\"framerate\":29.97,\"videocodecid\":7,"
                + "\"stereo\":true,\"encoder\":\"Lavf61.7.100\",\"filesize\":0}", json(meta));
    }

    @Test
    void everyTypeHasItsJsonForm() throws Exception {
        Map<String, Object> cue = new LinkedHashMap<>();
        cue.put("name", "ad-break");
        cue.put("time", 12.5);
        cue.put("parameters", new LinkedHashMap<>(Map.of("id", "42")));
        cue.put("list", new ArrayList<>(Arrays.asList(1.0, "two", false, null)));
        cue.put("nothing", null);
        cue.put("undefined", Amf0Undefined.INSTANCE);
        cue.put("big", 1e21);
        cue.put("small", 1e-7);
        cue.put("negative", -3.0);
        cue.put("when", Instant.parse("2024-01-02T03:04:05Z"));
        String text = json(cue);
        assertEquals("{\"name\":\"ad-break\",\"time\":12.5,\"parameters\":{\"id\":\"42\"},"
                + "\"list\":[1,\"two\",false,null],\"nothing\":null,\"undefined\":null,\"big\":1.0E21,"
                + "\"small\":1.0E-7,\"negative\":-3,\"when\":\"2024-01-02T03:04:05Z\"}", text);
        JsonObject back = new JsonObject(text);
        assertEquals(1e21, back.getDouble("big"));
        assertEquals(new JsonArray().add(1).add("two").add(false).addNull(), back.getJsonArray("list"));
    }

    @Test
    void numbersJsonCannotWriteBecomeNull() throws Exception {
        assertEquals("[null,null,null,9007199254740992,9.007199254740994E15]", json(new ArrayList<>(List.of(
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 9007199254740992.0,
                9007199254740994.0))));
    }

    @Test
    void stringsAreEscapedIntoValidJson() throws Exception {
        String nasty = "quote\" backslash\\ newline\n tab\t nul\u0000 bell\u0007 line\u2028 para\u2029 e\u00e9 "
                + "emoji\ud83d\ude00 </script>";
        String text = json(new LinkedHashMap<>(Map.of("k\"ey", nasty)));
        assertEquals("{\"k\\\"ey\":\"quote\\\" backslash\\\\ newline\\n tab\\t nul\\u0000 bell\\u0007 line\\u2028"
                + " para\\u2029 e\u00e9 emoji\ud83d\ude00 </script>\"}", text);
        assertEquals(nasty, new JsonObject(text).getString("k\"ey"));
        StringBuilder lone = new StringBuilder();
        Amf0Json.string("a\ud83db", lone);
        assertEquals("\"a\\ud83db\"", lone.toString(), "a lone surrogate cannot be UTF-8: escaped");
    }

    @Test
    void theOutputIsBounded() throws Exception {
        byte[] amf = Amf0Writer.encode(new ArrayList<>(List.of("x".repeat(1000), "y".repeat(1000))));
        Object value = Amf0Reader.readAll(amf, 0, amf.length).get(0);
        assertEquals(2007, Amf0Json.toJson(value, 2007).length());
        assertThrows(Amf0Exception.class, () -> Amf0Json.toJson(value, 2006));
    }
}
