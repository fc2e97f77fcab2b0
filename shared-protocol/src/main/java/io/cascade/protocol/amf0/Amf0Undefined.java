package io.cascade.protocol.amf0;

/**
 * The AMF0 'undefined' value (0x06); AMF0 null (0x05) decodes to Java null.
 * The 'unsupported' marker (0x0D) also decodes to this value.
 */
public enum Amf0Undefined {
    INSTANCE
}
