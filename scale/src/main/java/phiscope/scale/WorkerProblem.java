package phiscope.scale;

/**
 * Something about a worker that no retry fixes (the model folder missing there, too little memory,
 * other weights): its message is what the driver reports.
 */
final class WorkerProblem extends RuntimeException {

    WorkerProblem(String message) {
        super(message);
    }
}
