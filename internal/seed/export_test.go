package seed

import "testing"

// SmallChunks makes the parallel decoder and the stream work on chunks
// of a few kilobytes for the rest of the test, so that a file of a few
// hundred agents exercises what takes a file of thousands otherwise.
func SmallChunks(t testing.TB) {
	min, stream := minChunk, streamChunk
	minChunk, streamChunk = 16<<10, 8<<10
	t.Cleanup(func() { minChunk, streamChunk = min, stream })
}
