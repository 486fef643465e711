package html

import "testing"

func TestManualOut(t *testing.T) {
	Write("/tmp/hv/b", fixtureBranches(), Options{Now: fixtureNow, History: fixtureHistory(), Precision: 1})
	Write("/tmp/hv/l", fixtureLines(), Options{Now: fixtureNow, ShowContexts: true, Contexts: nil})
}
