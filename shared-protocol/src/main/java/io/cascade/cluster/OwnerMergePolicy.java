package io.cascade.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * How the stream registry heals after a split brain: when both halves registered the same name, the record whose
 * owner node id sorts first wins, on every member, whichever half merges into which. Any deterministic rule
 * would do; the owner id is the one both halves know.
 */
public final class OwnerMergePolicy implements SplitBrainMergePolicy<String, MergingValue<String>, Object> {
    @Override
    public Object merge(MergingValue<String> merging, MergingValue<String> existing) {
        if (existing == null) {
            return merging.getRawValue();
        }
        // one read of each: every call deserializes anew, so a second read is another object
        String mergingValue = merging.getDeserializedValue();
        String existingValue = existing.getDeserializedValue();
        return winner(mergingValue, existingValue) == mergingValue ? merging.getRawValue() : existing.getRawValue();
    }

    /** Of two registry values for one name, the one that survives the merge. */
    static String winner(String a, String b) {
        return HazelcastStreamRegistry.decode("", a).ownerNode()
                .compareTo(HazelcastStreamRegistry.decode("", b).ownerNode()) <= 0 ? a : b;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
        // stateless
    }

    @Override
    public void readData(ObjectDataInput in) {
        // stateless
    }
}
