package store_test

import (
	"sync"

	"github.com/paybridge/paybridge/internal/store"
)

// raceOn runs n goroutines, the i-th on stores[i%len(stores)] (separate
// handles on one database, like separate instances of paybridge), and waits
// for all of them. They are released together, so that they really
// overlap rather than finishing one by one as they are started.
func raceOn(stores []*store.Store, n int, f func(i int, s *store.Store)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		s := stores[i%len(stores)]
		wg.Go(func() {
			<-start
			f(i, s)
		})
	}
	close(start)
	wg.Wait()
}
