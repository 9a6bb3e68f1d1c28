package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/fixturegen"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

func TestZZProbeStores(t *testing.T) {
	st := mustOpenStore(t)
	agents := fixturegen.Agents(10000, 1)
	f := model.Fixtures{Agents: agents, Stores: fixturegen.Stores(agents, 10000, 1)}
	f.StoreTypes = []model.StoreType{
		{Name: "PEM File", ShortName: "PEM", StoreType: 2, Properties: []model.StoreTypeProperty{{Name: "separatePrivateKey", Type: "Bool", DefaultValue: model.S("false")}}},
		{Name: "IIS Bound Certificate", ShortName: "IISU", StoreType: 102, Properties: []model.StoreTypeProperty{{Name: "WinRM Port", DefaultValue: model.S("5986")}, {Name: "WinRM Protocol", Type: "MultipleChoice", DefaultValue: model.S("https,http")}}},
	}
	t0 := time.Now()
	if err := st.Reset(context.Background(), f, "probe"); err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %v", time.Since(t0))
	filters := []string{"", "Approved -eq true", "Category -eq 2", "Approved -eq false AND AgentAvailable -eq true", `ClientMachine -contains "site1"`, `(CertStoreType -eq "102")AND StorePath -eq "My"`}
	for _, fl := range filters {
		for _, sort := range []string{"ClientMachine", "StorePath", "CertStoreType", "AgentId"} {
			for _, desc := range []bool{false, true} {
				for _, page := range []int{1, 20} {
					var w countingWriter
					opts := store.ListOptions{Query: fl, SortField: sort, Descending: desc, Page: page, Limit: 50}
					t0 := time.Now()
					n := 5
					for range n {
						if err := st.StoresPage(context.Background(), opts, &w); err != nil {
							t.Fatal(err)
						}
					}
					if d := time.Since(t0) / time.Duration(n); d > 2*time.Millisecond {
						fmt.Printf("%-50q %-14s desc=%v page=%2d %v\n", fl, sort, desc, page, d)
					}
				}
			}
		}
	}
}
