"""The distributed crawl's reliable frontier: a request a worker takes from Redis is leased, not
lost, until what came of it is safely back in Redis.

scrapy-redis pops a request from the shared queue (a sorted set) and forgets it; its fingerprint
stays in the shared duplicate filter. A worker that is stopped or killed with requests in flight
(Scrapy pulls up to CONCURRENT_REQUESTS of them into its downloader) loses them for good: nobody
asks for those URLs again. Here:

* ``LeasedPriorityQueue.pop`` moves the request, in one Lua call, from the queue into the worker's
  lease hash ``<spider>:leases:<worker>`` (encoded request -> its queue score);
* the lease is returned (``ack``) only when everything that came of the request is in Redis: the
  requests its callback yielded are in the queue (they are scheduled as they are yielded), and
  its document is on the documents queue. ``leased`` wraps a callback so that the document comes
  last and carries the lease; ``QueuePipeline`` pushes it and drops the lease in one MULTI;
  a callback that yields no document returns its lease when it is done;
* ``requeue`` puts every lease of the given workers (or of all workers) back into the queue, past
  the duplicate filter: the writer calls it for a worker that died, and at the start of a run
  that continues a stopped or killed one.

A request is then fetched at least once, and a second time only when its worker died with it in
flight (the archive files the same body once: same sha256, same row).
"""

from scrapy_redis.queue import PriorityQueue

from .items import FetchedDocument

LEASE = "lease"  # request.meta key: (worker, the encoded request as held in its lease hash)
POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return nil end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], item[1], item[2])
return item[1]
"""
REQUEUE = """
local moved = 0
for i, key in ipairs(KEYS) do
  if i > 1 then
    local entries = redis.call('HGETALL', key)
    for j = 1, #entries, 2 do
      redis.call('ZADD', KEYS[1], entries[j + 1], entries[j])
      moved = moved + 1
    end
    redis.call('DEL', key)
  end
end
return moved
"""


def leases_key(spider_name: str, worker: str) -> str:
    return f"{spider_name}:leases:{worker}"


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis' priority queue whose pop leases the request to this worker (``spider.worker``)."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.leases = leases_key(spider.name, spider.worker)
        self._pop = server.register_script(POP)

    def pop(self, timeout=0):
        data = self._pop(keys=[self.key, self.leases])
        if data is None:
            return None
        request = self._decode_request(data)
        if LEASE in request.meta:  # a retry or a redirect of a leased request: this lease replaces it
            ack(self.server, self.spider.name, request.meta[LEASE])
        request.meta[LEASE] = (self.spider.worker, data)
        return request


def ack(client, spider_name, lease) -> None:
    worker, data = lease
    client.hdel(leases_key(spider_name, worker), data)


def requeue(client, spider_name, workers=None) -> int:
    """Put the leased requests of these workers (all when None) back into the queue; how many."""
    if workers is None:
        keys = list(client.scan_iter(match=leases_key(spider_name, "*")))
    else:
        keys = [leases_key(spider_name, worker) for worker in workers]
    if not keys:
        return 0
    return client.eval(REQUEUE, len(keys) + 1, f"{spider_name}:requests", *keys)


def leased(method):
    """Wrap a spider callback or errback: requests go out as they come; the document comes last,
    carrying the request's lease (QueuePipeline returns it as it queues the document); without a
    document the lease is returned at the end."""

    def wrapper(self, result):
        request = getattr(result, "request", None)
        lease = request.meta.get(LEASE) if request is not None else None
        documents = []
        for output in method(self, result) or ():
            if isinstance(output, FetchedDocument):
                documents.append(output)
            else:
                yield output
        if lease is None:
            yield from documents
            return
        if not documents:
            ack(self.server, self.name, lease)
            return
        documents[-1].lease = lease
        yield from documents

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper
