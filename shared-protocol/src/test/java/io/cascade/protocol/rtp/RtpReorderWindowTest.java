package io.cascade.protocol.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtpReorderWindowTest {
    private static List<Integer> pushAll(ReorderWindow<Integer> w, int... seqs) {
        List<Integer> out = new ArrayList<>();
        for (int s : seqs) {
            out.addAll(w.push(s, s));
        }
        return out;
    }

    @Test
    void inOrderPacketsPassStraightThrough() {
        ReorderWindow<Integer> w = new ReorderWindow<>();
        assertEquals(List.of(10, 11, 12), pushAll(w, 10, 11, 12));
        assertEquals(0, w.held());
        assertEquals(3, w.released());
    }

    @Test
    void swappedPacketsComeOutInOrder() {
        ReorderWindow<Integer> w = new ReorderWindow<>();
        assertEquals(List.of(1), pushAll(w, 1));
        assertEquals(List.of(), pushAll(w, 3));
        assertEquals(List.of(2, 3, 4), pushAll(w, 2, 4));
        assertEquals(0, w.lost());
    }

    @Test
    void wrapsAt65536() {
        ReorderWindow<Integer> v = new ReorderWindow<>();
        assertEquals(List.of(65534, 65535, 0, 1), pushAll(v, 65534, 0, 65535, 1));
    }

    @Test
    void givesUpAGapAfterMaxWaitPackets() {
        ReorderWindow<Integer> w = new ReorderWindow<>(8, 3);
        assertEquals(List.of(100), pushAll(w, 100));
        assertEquals(List.of(), pushAll(w, 102, 103));
        assertEquals(List.of(102, 103, 104), pushAll(w, 104));
        assertEquals(1, w.lost());
        assertEquals(List.of(), pushAll(w, 101));
        assertEquals(1, w.late());
    }

    @Test
    void givesUpWhenAPacketFallsBeyondTheWindow() {
        ReorderWindow<Integer> w = new ReorderWindow<>(4, 4);
        pushAll(w, 0);
        assertEquals(List.of(), pushAll(w, 2));
        assertEquals(List.of(2), pushAll(w, 6)); // 6 needs slots up to 6: 1 and 3..5 given up or waiting
        assertEquals(List.of(), pushAll(w, 4, 5)); // 3 still awaited: 3 packets held behind it
        assertEquals(List.of(4, 5, 6, 7), pushAll(w, 7)); // the 4th gives 3 up
        assertEquals(2, w.lost()); // 1 and 3
    }

    @Test
    void countsDuplicatesOfHeldPackets() {
        ReorderWindow<Integer> w = new ReorderWindow<>();
        pushAll(w, 1, 3, 3);
        assertEquals(1, w.duplicates());
        pushAll(w, 1);
        assertEquals(1, w.late());
    }

    @Test
    void aLargeJumpRestartsTheWindow() {
        ReorderWindow<Integer> w = new ReorderWindow<>();
        pushAll(w, 1000, 1001);
        assertEquals(List.of(10000, 10001), pushAll(w, 10000, 10001)); // 8998 ahead: more than MAX_DROPOUT
        assertEquals(1, w.resyncs());
        assertEquals(0, w.lost());
    }

    @Test
    void aRunOfLatePacketsRestartsTheWindow() {
        ReorderWindow<Integer> w = new ReorderWindow<>(4, 2);
        pushAll(w, 5000);
        List<Integer> out = pushAll(w, 100, 101, 102, 103, 104);
        assertEquals(List.of(103, 104), out);
        assertEquals(3, w.late());
        assertEquals(1, w.resyncs());
    }

    @Test
    void flushReleasesWhatIsHeld() {
        ReorderWindow<Integer> w = new ReorderWindow<>();
        pushAll(w, 1, 3, 5);
        assertEquals(List.of(3, 5), w.flush());
        assertEquals(2, w.lost());
        assertEquals(0, w.held());
    }

    @Test
    void randomShufflesWithLossesReleaseEverythingInOrder() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            int start = random.nextInt(65536);
            int n = 300;
            List<Integer> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (random.nextInt(10) != 0) { // 10 % loss
                    sent.add((start + i) & 0xFFFF);
                }
            }
            // displace each packet by up to 5 places
            List<Integer> wire = new ArrayList<>(sent);
            for (int i = 0; i < wire.size(); i++) {
                int j = Math.min(wire.size() - 1, i + random.nextInt(6));
                java.util.Collections.swap(wire, i, j);
            }
            ReorderWindow<Integer> w = new ReorderWindow<>(16, 12);
            List<Integer> out = new ArrayList<>();
            for (int s : wire) {
                out.addAll(w.push(s, s));
            }
            out.addAll(w.flush());
            // whatever was released is in sending order, and every packet is released, late or lost
            List<Integer> expectedOrder = new ArrayList<>(sent);
            expectedOrder.retainAll(out);
            assertEquals(expectedOrder, out);
            assertEquals(sent.size(), w.released() + w.late());
        }
    }
}
