package pysource

// LineKinds names, for each line, the innermost statement or clause
// starting there (for grouping differences from coverage.py by kind).
func (m *Module) LineKinds() map[int]string {
	k := map[int]string{}
	var visit func(ss []*Stmt)
	visit = func(ss []*Stmt) {
		for _, s := range ss {
			name := s.Kind.String()
			if s.Kind == SAnnAssign && !s.HasValue {
				name = "AnnAssign(bare)"
			}
			k[s.Line] = name
			for _, d := range s.Decorators {
				k[d] = "decorator"
			}
			if s.ElseLine != 0 {
				k[s.ElseLine] = "else"
			}
			if s.FinallyLine != 0 {
				k[s.FinallyLine] = "finally"
			}
			visit(s.Body)
			visit(s.Orelse)
			for _, h := range s.Handlers {
				k[h.Line] = "except"
				visit(h.Body)
			}
			visit(s.Finally)
			for _, c := range s.Cases {
				k[c.Line] = "case"
				visit(c.Body)
			}
		}
	}
	visit(m.Body)
	return k
}
