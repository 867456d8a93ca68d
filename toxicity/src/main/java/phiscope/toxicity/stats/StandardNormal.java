package phiscope.toxicity.stats;

/** Tail probabilities of the standard normal distribution, accurate to a few ulps. */
final class StandardNormal {

    private static final double SQRT2 = Math.sqrt(2);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private StandardNormal() {
    }

    /** P(Z > z). */
    static double upperTail(double z) {
        return 0.5 * erfc(z / SQRT2);
    }

    /** The complementary error function 1 - erf(x), without cancellation in the upper tail. */
    static double erfc(double x) {
        if (Double.isNaN(x)) return Double.NaN;
        if (x < 0) return 2 - erfc(-x);
        if (x < 1.5) return 1 - erfSeries(x);
        if (x > 27) return 0; // below the smallest subnormal double
        return erfcContinuedFraction(x);
    }

    /** Maclaurin series of erf; alternating, but its terms stay below 3 for x < 1.5. */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double power = x; // (-1)^n x^(2n+1) / n!
        double sum = x;
        for (int n = 1; n < 100; n++) {
            power *= -x2 / n;
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /**
     * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated with
     * the modified Lentz method; converges quickly for x >= 1.5.
     */
    private static double erfcContinuedFraction(double x) {
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = k / 2.0;
            d = x + a * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = x + a / c;
            if (Math.abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
