"""Running callables at the same moment, each on its own database connection (live_db tests)."""

import threading

from django.db import connection


def race(*attempts):
    """Run the callables at the same moment; their results or exceptions, in order."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def run(i, attempt):
        try:
            barrier.wait()
            outcomes[i] = attempt()
        except Exception as error:
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
