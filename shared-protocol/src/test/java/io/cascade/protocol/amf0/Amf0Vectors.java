package io.cascade.protocol.amf0;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of AMF0 byte vectors. It drives the decode, encode and round-trip tests,
 * the malformed-input tests, and the fuzzer's committed seed inputs
 * (src/test/resources/.../Amf0ReaderFuzzTestInputs/readAll/, one file per vector, kept in
 * sync by {@link Amf0FuzzSeedsTest}).
 *
 * <p>All hex was computed by hand from Adobe's "Action Message Format -- AMF 0": a value is a
 * one-byte type marker followed by its body; strings are a big-endian u16 length + UTF-8
 * (LongString/XML: u32 length); numbers are big-endian IEEE-754 doubles; object properties are
 * (u16 length + UTF-8 name, value) pairs ended by an empty name and the 0x09 marker.
 */
final class Amf0Vectors {

    private Amf0Vectors() {
    }

    /**
     * A well-formed input and what it decodes to.
     *
     * @param canonical whether {@code Amf0Writer.encode(values)} reproduces {@code bytes}
     *     exactly (false for alternative spellings such as LongString for a short string,
     *     references, typed objects, ECMA arrays with a zero count hint)
     */
    record Vector(String name, byte[] bytes, List<Object> values, boolean canonical) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A malformed input; decoding it must throw {@link Amf0Exception} whose message contains
     * {@code messagePart}.
     */
    record Malformed(String name, byte[] bytes, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final int MAX_ITEMS_PLUS_ONE = Amf0Reader.MAX_ITEMS + 1;

    static final boolean CANONICAL = true;
    static final boolean NON_CANONICAL = false;

    static final List<Vector> VALID = List.of(
        // ---------------- real-world RTMP messages ----------------
        new Vector("connect-ffmpeg", hex(
                "02 0007 636f6e6e656374",                 // string "connect"
                "00 3ff0000000000000",                    // number 1.0 (transaction id)
                "03",                                     // object (command object)
                "0003 617070",                            //   key "app"
                "02 0004 6c697665",                       //   string "live"
                "0004 74797065",                          //   key "type"
                "02 000a 6e6f6e70726976617465",           //   string "nonprivate"
                "0008 666c617368566572",                  //   key "flashVer"
                "02 0024 464d4c452f332e302028636f6d70617469626c653b204c61766635392e32372e31303029",
                                                          //   string "FMLE/3.0 (compatible; Lavf59.27.100)"
                "0005 746355726c",                        //   key "tcUrl"
                "02 001a 72746d703a2f2f3132372e302e302e313a313933352f6c697665",
                                                          //   string "rtmp://127.0.0.1:1935/live"
                "0000 09"),                               //   empty key + object end
            values("connect", 1.0, obj(
                "app", "live",
                "type", "nonprivate",
                "flashVer", "FMLE/3.0 (compatible; Lavf59.27.100)",
                "tcUrl", "rtmp://127.0.0.1:1935/live")),
            CANONICAL),

        new Vector("result-connect", hex(
                "02 0007 5f726573756c74",                 // string "_result"
                "00 3ff0000000000000",                    // number 1.0 (transaction id)
                "03",                                     // object (properties)
                "0006 666d73566572",                      //   key "fmsVer"
                "02 000d 464d532f332c302c312c313233",     //   string "FMS/3,0,1,123"
                "000c 6361706162696c6974696573",          //   key "capabilities"
                "00 403f000000000000",                    //   number 31.0
                "0000 09",                                //   object end
                "03",                                     // object (information)
                "0005 6c6576656c",                        //   key "level"
                "02 0006 737461747573",                   //   string "status"
                "0004 636f6465",                          //   key "code"
                "02 001d 4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373",
                                                          //   string "NetConnection.Connect.Success"
                "000b 6465736372697074696f6e",            //   key "description"
                "02 0015 436f6e6e656374696f6e207375636365656465642e",
                                                          //   string "Connection succeeded."
                "000e 6f626a656374456e636f64696e67",      //   key "objectEncoding"
                "00 0000000000000000",                    //   number 0.0
                "0000 09"),                               //   object end
            values("_result", 1.0,
                obj("fmsVer", "FMS/3,0,1,123", "capabilities", 31.0),
                obj("level", "status",
                    "code", "NetConnection.Connect.Success",
                    "description", "Connection succeeded.",
                    "objectEncoding", 0.0)),
            CANONICAL),

        new Vector("onStatus-publish-start", hex(
                "02 0008 6f6e537461747573",               // string "onStatus"
                "00 0000000000000000",                    // number 0.0 (transaction id)
                "05",                                     // null (command object)
                "03",                                     // object (info)
                "0005 6c6576656c",                        //   key "level"
                "02 0006 737461747573",                   //   string "status"
                "0004 636f6465",                          //   key "code"
                "02 0017 4e657453747265616d2e5075626c6973682e5374617274",
                                                          //   string "NetStream.Publish.Start"
                "000b 6465736372697074696f6e",            //   key "description"
                "02 0010 5374617274207075626c697368696e67", // string "Start publishing"
                "0000 09"),                               //   object end
            values("onStatus", 0.0, null, obj(
                "level", "status",
                "code", "NetStream.Publish.Start",
                "description", "Start publishing")),
            CANONICAL),

        new Vector("setDataFrame-onMetaData-ffmpeg", hex(
                "02 000d 40736574446174614672616d65",     // string "@setDataFrame"
                "02 000a 6f6e4d65746144617461",           // string "onMetaData"
                "08 0000000d",                            // ECMA array, count hint 13
                "0008 6475726174696f6e",                  //   key "duration"
                "00 0000000000000000",                    //   number 0.0
                "0005 7769647468",                        //   key "width"
                "00 4094000000000000",                    //   number 1280.0
                "0006 686569676874",                      //   key "height"
                "00 4086800000000000",                    //   number 720.0
                "000d 766964656f6461746172617465",        //   key "videodatarate"
                "00 40a3880000000000",                    //   number 2500.0
                "0009 6672616d6572617465",                //   key "framerate"
                "00 403e000000000000",                    //   number 30.0
                "000c 766964656f636f6465636964",          //   key "videocodecid"
                "00 401c000000000000",                    //   number 7.0 (AVC)
                "000d 617564696f6461746172617465",        //   key "audiodatarate"
                "00 4060000000000000",                    //   number 128.0
                "000f 617564696f73616d706c6572617465",    //   key "audiosamplerate"
                "00 40e5888000000000",                    //   number 44100.0
                "000f 617564696f73616d706c6573697a65",    //   key "audiosamplesize"
                "00 4030000000000000",                    //   number 16.0
                "0006 73746572656f",                      //   key "stereo"
                "01 01",                                  //   boolean true
                "000c 617564696f636f6465636964",          //   key "audiocodecid"
                "00 4024000000000000",                    //   number 10.0 (AAC)
                "0007 656e636f646572",                    //   key "encoder"
                "02 000d 4c61766635392e32372e313030",     //   string "Lavf59.27.100"
                "0008 66696c6573697a65",                  //   key "filesize"
                "00 0000000000000000",                    //   number 0.0
                "0000 09"),                               //   object end
            values("@setDataFrame", "onMetaData", ecma(
                "duration", 0.0,
                "width", 1280.0,
                "height", 720.0,
                "videodatarate", 2500.0,
                "framerate", 30.0,
                "videocodecid", 7.0,
                "audiodatarate", 128.0,
                "audiosamplerate", 44100.0,
                "audiosamplesize", 16.0,
                "stereo", true,
                "audiocodecid", 10.0,
                "encoder", "Lavf59.27.100",
                "filesize", 0.0)),
            CANONICAL),

        // ---------------- one vector per type ----------------
        new Vector("number-one", hex(
                "00 3ff0000000000000"),                   // number 1.0
            values(1.0), CANONICAL),
        new Vector("number-negative", hex(
                "00 bff8000000000000"),                   // number -1.5
            values(-1.5), CANONICAL),
        new Vector("boolean-true", hex(
                "01 01"),                                 // boolean true
            values(true), CANONICAL),
        new Vector("boolean-false", hex(
                "01 00"),                                 // boolean false
            values(false), CANONICAL),
        new Vector("boolean-nonzero", hex(
                "01 02"),                                 // boolean, any non-zero byte is true
            values(true), NON_CANONICAL),
        new Vector("string-empty", hex(
                "02 0000"),                               // string ""
            values(""), CANONICAL),
        new Vector("string-utf8", hex(
                "02 0006 68c3a96c6c6f"),                  // string "héllo" (é = c3 a9)
            values("h\u00e9llo"), CANONICAL),
        new Vector("long-string-short", hex(
                "0c 00000005 68656c6c6f"),                // long string "hello"
            values("hello"), NON_CANONICAL),
        new Vector("long-string-65536", concat(
                hex("0c 00010000"),                       // long string, u32 length 65536
                repeat((byte) 'a', 65536)),               // 'a' x 65536
            values("a".repeat(65536)), CANONICAL),
        new Vector("null", hex(
                "05"),                                    // null
            values((Object) null), CANONICAL),
        new Vector("undefined", hex(
                "06"),                                    // undefined
            values(Amf0Undefined.INSTANCE), CANONICAL),
        new Vector("unsupported", hex(
                "0d"),                                    // unsupported -> undefined
            values(Amf0Undefined.INSTANCE), NON_CANONICAL),
        new Vector("object-empty", hex(
                "03",                                     // object
                "0000 09"),                               //   object end
            values(obj()), CANONICAL),
        new Vector("object-empty-key", hex(
                "03",                                     // object
                "0000 05",                                //   key "" -> null (not followed by 0x09)
                "0000 09"),                               //   object end
            values(obj("", null)), CANONICAL),
        new Vector("object-nested", hex(
                "03",                                     // object
                "0001 61",                                //   key "a"
                "03",                                     //   object
                "0001 62",                                //     key "b"
                "0a 00000001",                            //     strict array, 1 element
                "00 3ff0000000000000",                    //       number 1.0
                "0000 09",                                //     object end
                "0000 09"),                               //   object end
            values(obj("a", obj("b", list(1.0)))), CANONICAL),
        new Vector("ecma-array-empty", hex(
                "08 00000000",                            // ECMA array, count 0
                "0000 09"),                               //   object end
            values(ecma()), CANONICAL),
        new Vector("ecma-array-zero-count-hint", hex(
                "08 00000000",                            // ECMA array, count hint 0 (wrong, ignored)
                "0001 61",                                //   key "a"
                "00 3ff0000000000000",                    //   number 1.0
                "0000 09"),                               //   object end
            values(ecma("a", 1.0)), NON_CANONICAL),
        new Vector("strict-array", hex(
                "0a 00000003",                            // strict array, 3 elements
                "00 3ff0000000000000",                    //   number 1.0
                "02 0001 61",                             //   string "a"
                "05"),                                    //   null
            values(list(1.0, "a", null)), CANONICAL),
        new Vector("strict-array-empty", hex(
                "0a 00000000"),                           // strict array, 0 elements
            values(list()), CANONICAL),
        new Vector("date", hex(
                "0b 4278bcfe56800000",                    // date, 1700000000000.0 ms
                "0000"),                                  //   time zone 0
            values(Instant.ofEpochMilli(1_700_000_000_000L)), CANONICAL),
        new Vector("date-with-timezone", hex(
                "0b 4278bcfe56800000",                    // date, 1700000000000.0 ms
                "01e0"),                                  //   time zone 480 (ignored)
            values(Instant.ofEpochMilli(1_700_000_000_000L)), NON_CANONICAL),
        new Vector("xml-document", hex(
                "0f 00000004 3c612f3e"),                  // XML document "<a/>"
            values("<a/>"), NON_CANONICAL),
        new Vector("typed-object-runtime", hex(
                "10 0011 6a6176612e6c616e672e52756e74696d65", // typed object, class "java.lang.Runtime"
                "0001 61",                                //   key "a"
                "00 3ff0000000000000",                    //   number 1.0
                "0000 09"),                               //   object end
            values(obj("a", 1.0)), NON_CANONICAL),
        new Vector("reference-in-array", hex(
                "0a 00000002",                            // strict array (reference 0), 2 elements
                "03",                                     //   object (reference 1)
                "0001 61",                                //     key "a"
                "00 3ff0000000000000",                    //     number 1.0
                "0000 09",                                //     object end
                "07 0001"),                               //   reference 1 -> the object
            values(list(obj("a", 1.0), obj("a", 1.0))), NON_CANONICAL),
        new Vector("reference-top-level", hex(
                "03 0000 09",                             // empty object (reference 0)
                "07 0000"),                               // reference 0
            values(obj(), obj()), NON_CANONICAL));

    static final List<Malformed> MALFORMED = List.of(
        new Malformed("empty-object-end-alone", hex(
                "09"),                                    // object end outside an object
            "object-end marker"),
        new Malformed("object-end-in-array", hex(
                "0a 00000001",                            // strict array, 1 element
                "09"),                                    //   object end as an element
            "object-end marker"),
        new Malformed("movieclip", hex("04"), "MovieClip"),
        new Malformed("recordset", hex("0e"), "RecordSet"),
        new Malformed("amf3-switch", hex(
                "11 02"),                                 // AVM+ switch, then an AMF3 integer
            "AMF3 not supported"),
        new Malformed("unknown-marker-12", hex("12"), "unknown type marker 0x12"),
        new Malformed("unknown-marker-ff", hex("ff"), "unknown type marker 0xFF"),
        new Malformed("strict-array-count-max-u32", hex(
                "0a ffffffff",                            // strict array, 4294967295 elements
                "05"),                                    //   null
            "exceeds MAX_ITEMS"),
        new Malformed("strict-array-count-beyond-input", hex(
                "0a 00001000",                            // strict array, 4096 elements
                "05 05"),                                 //   only 2 present
            "remaining bytes"),
        new Malformed("string-longer-than-message", hex(
                "02 ffff 6161"),                          // string of 65535 bytes, 2 present
            "truncated string"),
        new Malformed("long-string-max-u32", hex(
                "0c ffffffff 6161"),                      // long string of 4294967295 bytes
            "truncated long string"),
        new Malformed("xml-max-u32", hex(
                "0f ffffffff 3c"),                        // XML document of 4294967295 bytes
            "truncated XML document"),
        new Malformed("key-longer-than-message", hex(
                "03",                                     // object
                "ffff 61"),                               //   key of 65535 bytes, 1 present
            "truncated object property name"),
        new Malformed("object-unterminated", hex(
                "03",                                     // object
                "0001 61 05"),                            //   "a": null, no end marker
            "truncated"),
        new Malformed("ecma-unterminated", hex(
                "08 00000001",                            // ECMA array, count 1
                "0001 61 05"),                            //   "a": null, no end marker
            "truncated"),
        new Malformed("reference-empty-table", hex(
                "07 0000"),                               // reference 0, nothing decoded yet
            "out of range"),
        new Malformed("reference-out-of-range", hex(
                "03 0000 09",                             // empty object (reference 0)
                "07 0001"),                               // reference 1
            "out of range"),
        new Malformed("reference-max-index", hex(
                "03 0000 09",                             // empty object (reference 0)
                "07 ffff"),                               // reference 65535
            "out of range"),
        new Malformed("reference-circular", hex(
                "03",                                     // object (reference 0)
                "0001 61",                                //   key "a"
                "07 0000",                                //   reference 0 -> itself
                "0000 09"),                               //   object end
            "circular"),
        new Malformed("date-nan", hex(
                "0b 7ff8000000000000 0000"),              // date NaN
            "date"),
        new Malformed("date-infinite", hex(
                "0b 7ff0000000000000 0000"),              // date +infinity
            "date"),
        new Malformed("depth-10000-objects",
            nested("03 0001 61", 10_000, ""),             // {"a": {"a": ... 10,000 deep, unterminated
            "MAX_DEPTH"),
        new Malformed("depth-10000-arrays",
            nested("0a 00000001", 10_000, ""),            // [[[... 10,000 deep
            "MAX_DEPTH"),
        new Malformed("depth-33-objects",
            nested("03 0001 61", 33, "05" + " 0000 09".repeat(33)), // one level past MAX_DEPTH
            "MAX_DEPTH"),
        new Malformed("reference-chain-too-deep", referenceChain(40),
            "MAX_DEPTH"),
        new Malformed("reference-exponential", referenceDoubling(30),
            "MAX_REFERENCED_VALUES"),
        new Malformed("object-too-many-properties", manyProperties("03", MAX_ITEMS_PLUS_ONE),
            "MAX_ITEMS"),
        new Malformed("ecma-too-many-properties",
            manyProperties("08 00000000", MAX_ITEMS_PLUS_ONE), // count hint 0, 4097 pairs
            "MAX_ITEMS"),
        new Malformed("strict-array-too-many", hex(
                "0a 00001001"),                           // strict array, 4097 elements
            "MAX_ITEMS"));

    // ---------------- builders ----------------

    /** Parses readable hex groups; whitespace inside and between groups is ignored. */
    static byte[] hex(String... groups) {
        String s = String.join("", groups).replaceAll("\\s+", "");
        if (s.length() % 2 != 0) {
            throw new IllegalArgumentException("odd hex length: " + s);
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static String toHex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] repeat(byte b, int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, b);
        return out;
    }

    /** {@code prefix} repeated {@code times}, then {@code suffix}. */
    static byte[] nested(String prefix, int times, String suffix) {
        byte[] p = hex(prefix);
        byte[] out = new byte[p.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(p, 0, out, i * p.length, p.length);
        }
        return concat(out, hex(suffix));
    }

    /**
     * Top-level values v0 = [] and v(i) = [ref(i-1)]: each reference is legal on its own but
     * the logical nesting grows by one per value, past MAX_DEPTH.
     */
    static byte[] referenceChain(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(hex("0a 00000000"));                        // [] (reference 0)
        for (int i = 1; i < n; i++) {
            out.writeBytes(hex("0a 00000001 07"));                 // [ reference i-1 ]
            out.writeBytes(new byte[] {(byte) ((i - 1) >> 8), (byte) (i - 1)});
        }
        return out.toByteArray();
    }

    /**
     * Top-level values v0 = [null, null] and v(i) = [ref(i-1), ref(i-1)]: a few bytes per value,
     * but the logical tree doubles each time ("billion laughs").
     */
    static byte[] referenceDoubling(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(hex("0a 00000002 05 05"));                  // [null, null] (reference 0)
        for (int i = 1; i < n; i++) {
            byte hi = (byte) ((i - 1) >> 8);
            byte lo = (byte) (i - 1);
            out.writeBytes(hex("0a 00000002"));                    // [ref i-1, ref i-1]
            out.writeBytes(new byte[] {0x07, hi, lo, 0x07, hi, lo});
        }
        return out.toByteArray();
    }

    /** An object/ECMA array header followed by {@code n} properties "a": null and the end. */
    static byte[] manyProperties(String header, int n) {
        return concat(hex(header), nested("0001 61 05", n, "0000 09"));
    }

    static List<Object> values(Object... v) {
        return Collections.unmodifiableList(Arrays.asList(v));
    }

    static List<Object> list(Object... v) {
        return new ArrayList<>(Arrays.asList(v));
    }

    static Map<String, Object> obj(Object... kv) {
        return fill(new LinkedHashMap<>(), kv);
    }

    static Amf0EcmaArray ecma(Object... kv) {
        return fill(new Amf0EcmaArray(), kv);
    }

    private static <M extends Map<String, Object>> M fill(M map, Object... kv) {
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    /** File-system-safe name of a seed file for a table entry. */
    static String seedName(String vectorName) {
        return vectorName.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
