package io.cascade.protocol.amf0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Structural comparison of decoded AMF0 values that also checks Java types and key order. */
final class Amf0Assertions {

    private Amf0Assertions() {
    }

    static void assertAmfEquals(List<Object> expected, List<Object> actual, String context) {
        assertEquals(expected.size(), actual.size(), context + ": number of values");
        for (int i = 0; i < expected.size(); i++) {
            assertAmfEquals(expected.get(i), actual.get(i), context + "[" + i + "]");
        }
    }

    static void assertAmfEquals(Object expected, Object actual, String path) {
        if (expected == null || actual == null) {
            assertSame(expected, actual, path);
            return;
        }
        if (expected instanceof Map) {
            Class<?> want = expected instanceof Amf0EcmaArray ? Amf0EcmaArray.class
                    : java.util.LinkedHashMap.class;
            assertEquals(want, actual.getClass(), path + ": map type");
            Map<?, ?> e = (Map<?, ?>) expected;
            Map<?, ?> a = (Map<?, ?>) actual;
            assertEquals(new ArrayList<>(e.keySet()), new ArrayList<>(a.keySet()), path + ": keys");
            Iterator<?> ai = a.values().iterator();
            for (Map.Entry<?, ?> entry : e.entrySet()) {
                assertAmfEquals(entry.getValue(), ai.next(), path + "." + entry.getKey());
            }
        } else if (expected instanceof List) {
            assertEquals(ArrayList.class, actual.getClass(), path + ": list type");
            assertAmfEquals(castList(expected), castList(actual), path);
        } else {
            if (!expected.getClass().equals(actual.getClass())) {
                fail(path + ": expected " + expected.getClass().getSimpleName() + " " + expected
                        + " but got " + actual.getClass().getSimpleName() + " " + actual);
            }
            assertEquals(expected, actual, path);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) {
        return (List<Object>) o;
    }
}
