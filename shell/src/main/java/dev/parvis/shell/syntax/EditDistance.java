package dev.parvis.shell.syntax;

/** Levenshtein distance, for "did you mean" hints on mistyped names (inputs are short names). */
public final class EditDistance {
    private EditDistance() {
    }

    public static int between(String a, String b) {
        if (a.length() > 64 || b.length() > 64) {
            return Math.abs(a.length() - b.length()) + 64;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = Character.toLowerCase(a.charAt(i - 1)) == Character.toLowerCase(b.charAt(j - 1)) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
