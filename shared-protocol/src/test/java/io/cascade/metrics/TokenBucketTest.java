package io.cascade.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {
    @Test
    void aBurstThenTheRate() {
        TokenBucket bucket = new TokenBucket(50, 50);
        long t = System.nanoTime(); // at or after the bucket's start
        for (int i = 0; i < 50; i++) {
            assertTrue(bucket.tryTake(t), "burst " + i);
        }
        assertFalse(bucket.tryTake(t));
        assertFalse(bucket.tryTake(t + 19_000_000), "one token every 20 ms");
        assertTrue(bucket.tryTake(t + 20_000_000));
        assertFalse(bucket.tryTake(t + 20_000_000));
        long later = t + 60_000_000_000L;
        for (int i = 0; i < 50; i++) {
            assertTrue(bucket.tryTake(later), "full again, never more than the burst: " + i);
        }
        assertFalse(bucket.tryTake(later));
    }
}
