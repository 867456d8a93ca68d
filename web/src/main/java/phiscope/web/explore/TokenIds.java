package phiscope.web.explore;

import java.util.Arrays;

/** A prompt's token ids as a cache key (arrays compare by identity, this by content). */
record TokenIds(int[] ids) {

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenIds that && Arrays.equals(ids, that.ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "TokenIds" + Arrays.toString(ids);
    }
}
