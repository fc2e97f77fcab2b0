package io.cascade.protocol.amf0;

import java.util.LinkedHashMap;

/**
 * Marker for the ECMA array type (0x08), which onMetaData uses; insertion-ordered.
 * Decoding an ECMA array yields this class, and encoding an instance of it writes an
 * ECMA array (any other map is written as an anonymous object, 0x03).
 */
public final class Amf0EcmaArray extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;
}
